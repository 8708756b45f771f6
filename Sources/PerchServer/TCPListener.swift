import PerchSystem

/// A listening TCP socket for the opt-in `[web]` listener: the same server and limits as
/// the Unix socket, but no peer credentials (the handler decides what a TCP client may do).
public final class TCPListener: @unchecked Sendable {
    public let fd: Int32
    public let host: String
    /// The bound port (the kernel's choice when 0 was asked for).
    public let port: Int
    private var closed = false

    private init(fd: Int32, host: String, port: Int) {
        self.fd = fd
        self.host = host
        self.port = port
    }

    deinit { close() }

    /// Binds `host` (numeric IPv4, or IPv6 without brackets) and `port` (0: any free port).
    public static func bind(host: String, port: Int, backlog: Int32 = 128) throws(ServerError) -> TCPListener {
        let fd = try withErrno("listen on " + TCPListener.address(host, port)) { () throws(Errno) in
            try Socket.makeTCPListener(host: host, port: port, backlog: backlog)
        }
        let bound = (try? Socket.localPort(fd)) ?? port
        return TCPListener(fd: fd, host: host, port: bound)
    }

    /// `host:port`, with brackets around an IPv6 host: what a URL needs.
    public static func address(_ host: String, _ port: Int) -> String {
        (host.utf8.contains(UInt8(ascii: ":")) ? "[" + host + "]" : host) + ":" + String(port)
    }

    public var address: String { TCPListener.address(host, port) }

    public func close() {
        guard !closed else { return }
        closed = true
        Socket.close(fd)
    }
}
