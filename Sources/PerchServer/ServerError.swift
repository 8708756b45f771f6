import PerchSystem

/// Why the server could not start or keep running.
public enum ServerError: Error, Equatable {
    /// A system call failed: which one, and errno.
    case system(operation: String, Errno)
    /// Another process is accepting on this socket path.
    case socketInUse(path: String)
    /// Something that is not a socket sits at the path; it is left alone.
    case notASocket(path: String)
    case unknownGroup(String)
    /// An inherited descriptor is not a listening stream socket.
    case notAListeningSocket(fd: Int32)

    public var description: String {
        switch self {
        case .system(let operation, let errno): return operation + ": " + errno.description
        case .socketInUse(let path): return path + " is in use by a running server"
        case .notASocket(let path): return path + " exists and is not a socket; refusing to replace it"
        case .unknownGroup(let name): return "no such group: " + name
        case .notAListeningSocket(let fd): return "fd " + String(fd) + " is not a listening stream socket"
        }
    }
}

extension Result where Failure == Errno {
    /// The value, or a ServerError naming the operation.
    func orServerError(_ operation: String) throws(ServerError) -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let errno): throw .system(operation: operation, errno)
        }
    }
}

/// Runs `body`, turning an Errno into a ServerError naming `operation`.
func withErrno<T: ~Copyable>(_ operation: String, _ body: () throws(Errno) -> T) throws(ServerError) -> T {
    do throws(Errno) {
        return try body()
    } catch {
        throw .system(operation: operation, error)
    }
}
