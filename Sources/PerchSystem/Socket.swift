import CPerchSystem

/// Who is on the other end of a Unix socket, as the kernel recorded it at connect time.
public struct PeerCredentials: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32

    public init(uid: UInt32, gid: UInt32, pid: Int32) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
    }

    /// A TCP client: the kernel knows no user for it (uid and gid -1, pid 0).
    public static let none = PeerCredentials(uid: UInt32.max, gid: UInt32.max, pid: 0)
}

/// Typed wrappers over the socket calls of a Unix-socket server, each C call wrapped once.
/// Descriptors are non-blocking and close-on-exec.
public enum Socket {
    /// An AF_UNIX stream socket, non-blocking unless a client asks for blocking calls.
    /// The corresponding C function is `socket`.
    public static func makeUnixStream(nonBlocking: Bool = true) throws(Errno) -> Int32 {
        let flags = nonBlocking ? PERCH_SOCK_STREAM_FLAGS : PERCH_SOCK_STREAM_BLOCKING_FLAGS
        return try retryingOnInterrupt { socket(AF_UNIX, flags, 0) }.get()
    }

    /// Bounds blocking receives and sends on a client socket: past the timeout they report
    /// "nothing now" (nil) instead of waiting forever. The corresponding C options are
    /// `SO_RCVTIMEO` and `SO_SNDTIMEO`.
    public static func setTimeouts(_ fd: Int32, milliseconds: Int64) throws(Errno) {
        _ = try retryingOnInterrupt { perch_socket_timeout(fd, SO_RCVTIMEO, milliseconds) }.get()
        _ = try retryingOnInterrupt { perch_socket_timeout(fd, SO_SNDTIMEO, milliseconds) }.get()
    }

    /// The corresponding C function is `bind`.
    public static func bind(_ fd: Int32, unixPath path: String) throws(Errno) {
        _ = try retryingOnInterrupt { perch_bind_unix(fd, path) }.get()
    }

    /// Connects; on a non-blocking socket EAGAIN means the listener's backlog is full.
    /// The corresponding C function is `connect`.
    public static func connect(_ fd: Int32, unixPath path: String) throws(Errno) {
        _ = try retryingOnInterrupt { perch_connect_unix(fd, path) }.get()
    }

    /// A listening TCP socket on a numeric IPv4 or IPv6 address (`host` without brackets),
    /// non-blocking, SO_REUSEADDR. EINVAL when `host` is not numeric. The corresponding C
    /// functions are `socket`, `bind` and `listen`.
    public static func makeTCPListener(host: String, port: Int, backlog: Int32) throws(Errno) -> Int32 {
        try retryingOnInterrupt { perch_tcp_listen(host, Int32(port), backlog) }.get()
    }

    /// The local port of a TCP socket. The corresponding C function is `getsockname`.
    public static func localPort(_ fd: Int32) throws(Errno) -> Int {
        Int(try retryingOnInterrupt { perch_tcp_local_port(fd) }.get())
    }

    /// TCP_NODELAY: small streamed parts are not held back. The corresponding C option is `TCP_NODELAY`.
    public static func setNoDelay(_ fd: Int32) throws(Errno) {
        _ = try retryingOnInterrupt { perch_tcp_nodelay(fd) }.get()
    }

    /// The corresponding C function is `listen`.
    public static func listen(_ fd: Int32, backlog: Int32) throws(Errno) {
        _ = try retryingOnInterrupt { CPerchSystem.listen(fd, backlog) }.get()
    }

    /// A new connection, or nil when none is waiting. The corresponding C function is `accept4`.
    public static func accept(_ fd: Int32) throws(Errno) -> Int32? {
        switch retryingOnInterrupt({ perch_accept4(fd) }) {
        case .success(let connection): return connection
        case .failure(let error) where error == .wouldBlock: return nil
        // The connection went away before we took it: nothing to accept, not a failure.
        case .failure(let error) where error.code == ECONNABORTED: return nil
        case .failure(let error): throw error
        }
    }

    /// Bytes read (0 at end of stream), or nil when nothing is available now.
    /// The corresponding C function is `recv`.
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        switch retryingOnInterrupt({ recv(fd, buffer.baseAddress, buffer.count, 0) }) {
        case .success(let n): return n
        case .failure(let error) where error == .wouldBlock: return nil
        case .failure(let error): throw error
        }
    }

    /// Bytes written, or nil when the socket buffer is full. MSG_NOSIGNAL: a vanished peer
    /// is an EPIPE error, not a SIGPIPE that kills the daemon. The corresponding C function is `send`.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        switch retryingOnInterrupt({ CPerchSystem.send(fd, bytes.baseAddress, bytes.count, PERCH_MSG_NOSIGNAL) }) {
        case .success(let n): return n
        case .failure(let error) where error == .wouldBlock: return nil
        case .failure(let error): throw error
        }
    }

    /// Ends the sending direction: the peer reads end of stream, replies still arrive.
    /// The corresponding C function is `shutdown` (SHUT_WR).
    public static func shutdownWrite(_ fd: Int32) {
        _ = CPerchSystem.shutdown(fd, Int32(SHUT_WR))
    }

    /// Ends both directions: a thread blocked reading `fd` returns at once with end of stream.
    /// The corresponding C function is `shutdown` (SHUT_RDWR).
    public static func shutdownBoth(_ fd: Int32) {
        _ = CPerchSystem.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// The corresponding C option is `SO_PEERCRED`.
    public static func peerCredentials(_ fd: Int32) throws(Errno) -> PeerCredentials {
        var uid: UInt32 = 0, gid: UInt32 = 0, pid: Int32 = 0
        _ = try retryingOnInterrupt { perch_peer_credentials(fd, &uid, &gid, &pid) }.get()
        return PeerCredentials(uid: uid, gid: gid, pid: pid)
    }

    /// Whether fd is a stream socket in the listening state (what systemd must hand over).
    /// The corresponding C options are `SO_TYPE` and `SO_ACCEPTCONN`.
    public static func isListeningStreamSocket(_ fd: Int32) throws(Errno) -> Bool {
        var type: Int32 = 0, accepting: Int32 = 0
        _ = try retryingOnInterrupt { perch_socket_int_option(fd, SOL_SOCKET, SO_TYPE, &type) }.get()
        _ = try retryingOnInterrupt { perch_socket_int_option(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting) }.get()
        return type == Int32(SOCK_STREAM.rawValue) && accepting != 0
    }

    /// Sets O_NONBLOCK and FD_CLOEXEC (for descriptors inherited from systemd).
    /// The corresponding C function is `fcntl`.
    public static func makeNonBlockingCloseOnExec(_ fd: Int32) throws(Errno) {
        let flags = try retryingOnInterrupt { perch_fcntl_int(fd, F_GETFL, 0) }.get()
        _ = try retryingOnInterrupt { perch_fcntl_int(fd, F_SETFL, flags | O_NONBLOCK) }.get()
        _ = try retryingOnInterrupt { perch_fcntl_int(fd, F_SETFD, FD_CLOEXEC) }.get()
    }

    /// Closes fd. Not retried on EINTR: Linux has released the descriptor either way, and a
    /// retry could close one another thread just opened. The corresponding C function is `close`.
    public static func close(_ fd: Int32) {
        _ = CPerchSystem.close(fd)
    }
}
