import PerchSystem

/// A listening Unix stream socket: bound here to a path, or inherited from systemd.
public final class UnixListener: @unchecked Sendable {
    public let fd: Int32
    /// The path this process bound (and unlinks on close); nil for an inherited socket,
    /// whose file belongs to systemd.
    public let path: String?
    private var closed = false

    private init(fd: Int32, path: String?) {
        self.fd = fd
        self.path = path
    }

    deinit { close() }

    /// Binds `path` with permission bits `mode` and, if given, group `group` (so members of
    /// e.g. "perch" may connect). A stale socket file left by a crashed daemon is replaced;
    /// a live one (something accepts on it) or a non-socket file is an error.
    public static func bind(path: String, mode: UInt32 = 0o660, group: String? = nil,
                            backlog: Int32 = 128) throws(ServerError) -> UnixListener {
        // Resolve the group first, so a typo changes nothing on disk.
        var gid: UInt32? = nil
        if let group {
            guard let found = try withErrno("getgrnam_r " + group, { () throws(Errno) in try FileSystem.groupID(named: group) })
            else { throw .unknownGroup(group) }
            gid = found
        }
        try removeStaleSocket(path)
        let fd = try withErrno("socket", { () throws(Errno) in try Socket.makeUnixStream() })
        do throws(ServerError) {
            try withErrno("bind " + path) { () throws(Errno) in try Socket.bind(fd, unixPath: path) }
            // bind created the file with the umask's mode; set ours before listen(), so no
            // client can connect while the mode is still wrong.
            try withErrno("chmod " + path) { () throws(Errno) in try FileSystem.chmod(path, mode: mode) }
            if let gid { try withErrno("chown " + path) { () throws(Errno) in try FileSystem.chgrp(path, gid: gid) } }
            try withErrno("listen " + path) { () throws(Errno) in try Socket.listen(fd, backlog: backlog) }
        } catch {
            Socket.close(fd)
            _ = try? FileSystem.unlink(path)
            throw error
        }
        return UnixListener(fd: fd, path: path)
    }

    /// Takes over a listening socket passed by systemd (SocketActivation), making it
    /// non-blocking and close-on-exec.
    public static func inherited(fd: Int32) throws(ServerError) -> UnixListener {
        let listening = try withErrno("getsockopt fd " + String(fd)) { () throws(Errno) in
            try Socket.isListeningStreamSocket(fd)
        }
        guard listening else { throw .notAListeningSocket(fd: fd) }
        try withErrno("fcntl fd " + String(fd)) { () throws(Errno) in try Socket.makeNonBlockingCloseOnExec(fd) }
        return UnixListener(fd: fd, path: nil)
    }

    /// Closes the socket and removes the file this process created.
    public func close() {
        guard !closed else { return }
        closed = true
        Socket.close(fd)
        if let path, (try? FileSystem.isSocket(path)) == true { _ = try? FileSystem.unlink(path) }
    }

    private static func removeStaleSocket(_ path: String) throws(ServerError) {
        let isSocket = try withErrno("lstat " + path) { () throws(Errno) in try FileSystem.isSocket(path) }
        guard let isSocket else { return }
        guard isSocket else { throw .notASocket(path: path) }
        // Probe it: a refused connection means nobody listens any more.
        let probe = try withErrno("socket", { () throws(Errno) in try Socket.makeUnixStream() })
        defer { Socket.close(probe) }
        var failure: Errno? = nil
        do throws(Errno) { try Socket.connect(probe, unixPath: path) } catch { failure = error }
        guard let failure else { throw .socketInUse(path: path) }
        // EAGAIN: the backlog is full, so someone is listening.
        if failure == .wouldBlock { throw .socketInUse(path: path) }
        guard failure == .connectionRefused || failure == .noEntry else {
            throw .system(operation: "connect " + path, failure)
        }
        Log.info("removing stale socket " + path)
        try withErrno("unlink " + path) { () throws(Errno) in try FileSystem.unlink(path) }
    }
}
