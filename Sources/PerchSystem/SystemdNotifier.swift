import CPerchSystem

/// The sd_notify(3) protocol without libsystemd: datagrams like "READY=1" to the socket
/// named by $NOTIFY_SOCKET. Absent when the service is not run by systemd with
/// `Type=notify`, which is why every call site treats it as optional.
public final class SystemdNotifier {
    private let fd: Int32
    private var address: sockaddr_un
    private let addressLength: socklen_t
    /// Half of $WATCHDOG_USEC (when it is meant for this process): how often to send
    /// WATCHDOG=1 so a hung pipeline is restarted, not just a dead one.
    public let watchdogIntervalNanoseconds: Int64?

    /// Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID; nil when there is no socket.
    /// `environment` is injectable for tests.
    public init?(environment: (String) -> String? = Environment.value) {
        guard let path = environment("NOTIFY_SOCKET"), !path.isEmpty else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        // '@' names a socket in the abstract namespace: its first byte is NUL.
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.size - capacity
        // Abstract names are not NUL-terminated: the length must be exact.
        addressLength = socklen_t(pathOffset + bytes.count + (bytes[0] == 0 ? 0 : 1))
        address = addr
        let socketFD = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { return nil }
        fd = socketFD

        var interval: Int64? = nil
        if let usecText = environment("WATCHDOG_USEC"), let usec = Int64(usecText), usec > 0 {
            let pid = environment("WATCHDOG_PID").flatMap { Int32($0) }
            if pid == nil || pid == getpid() { interval = usec * 1000 / 2 }
        }
        watchdogIntervalNanoseconds = interval
    }

    deinit { _ = close(fd) }

    /// Sends one notification (newline-separated assignments). Returns the errno on failure.
    @discardableResult
    public func send(_ state: String) -> Errno? {
        var message = Array(state.utf8)
        let result = message.withUnsafeMutableBytes { payload in
            withUnsafePointer(to: &address) { addressPointer in
                addressPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    retryingOnInterrupt {
                        Int(sendto(fd, payload.baseAddress, payload.count, Int32(MSG_NOSIGNAL), sa, addressLength))
                    }
                }
            }
        }
        if case .failure(let e) = result { return e }
        return nil
    }

    public func ready(status: String) { send("READY=1\nSTATUS=" + status) }
    public func status(_ text: String) { send("STATUS=" + text) }
    public func watchdog() { send("WATCHDOG=1") }
    public func stopping() { send("STOPPING=1") }
    /// RELOADING=1 with the monotonic timestamp systemd ≥ 253 asks for (older ones ignore it).
    public func reloading() {
        send("RELOADING=1\nMONOTONIC_USEC=" + String(perch_monotonic_ns() / 1000))
    }
}
