import PerchDaemonCore
import PerchServer
import PerchSystem


/// Why the API socket could not be opened, and whether trying again later can help.
struct ListenerFailure: Error {
    var message: String
    /// A full disk (ENOSPC, EDQUOT) for the socket file or its directory: space may come
    /// back, so the daemon runs without its API meanwhile and retries. Anything else (a
    /// live socket at the path, an unknown group, a bad inherited descriptor) is a
    /// configuration problem and stops the start.
    var retryable: Bool

    init(_ message: String, errno: Errno? = nil) {
        self.message = message
        retryable = errno.map { $0 == .noSpace || $0 == .quotaExceeded } ?? false
    }
}

/// Opens perchd's API socket: the one systemd passed, else a new one at the configured path
/// (creating its directory).
enum SocketListening {
    static func open(_ configuration: Configuration) -> Result<UnixListener, ListenerFailure> {
        do throws(SocketActivation.Failure) {
            if let activation = try SocketActivation.fromProcess(), let fd = activation.descriptor() {
                do throws(ServerError) {
                    let listener = try UnixListener.inherited(fd: fd)
                    Log.info("listening on the socket systemd passed (fd " + String(fd) + ")")
                    return .success(listener)
                } catch {
                    return .failure(ListenerFailure("socket activation: " + error.description))
                }
            }
        } catch {
            return .failure(ListenerFailure("socket activation: " + error.description))
        }
        let path = configuration.socket.path
        let directory = FileSystem.directoryName(path)
        if !FileSystem.exists(directory) {
            do throws(Errno) { try FileSystem.makeDirectory(directory, mode: 0o750) } catch {
                return .failure(ListenerFailure("cannot create the socket directory " + directory + ": " + error.description,
                                                errno: error))
            }
        }
        do throws(ServerError) {
            let listener = try UnixListener.bind(path: path, mode: configuration.socket.mode, group: configuration.socket.group)
            Log.info("listening on " + path)
            return .success(listener)
        } catch {
            var errno: Errno? = nil
            if case .system(_, let e) = error { errno = e }
            return .failure(ListenerFailure("cannot create the socket " + path + ": " + error.description, errno: errno))
        }
    }
}
