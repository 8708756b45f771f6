import PerchHTTP
import PerchServer
import PerchSystem


/// The HTTP server on its own loop thread.
final class ServingThread {
    let server: HTTPServer
    let thread: Thread

    private init(server: HTTPServer, thread: Thread) {
        self.server = server
        self.thread = thread
    }

    static func start(_ listener: UnixListener, _ api: APIHandler) -> Result<ServingThread, PipelineError> {
        let server: HTTPServer
        do throws(ServerError) {
            server = try HTTPServer(listener: listener) { request, context in api.handle(request, context) }
        } catch {
            return .failure(PipelineError(["server: " + error.description]))
        }
        do throws(Errno) {
            let thread = try Thread.spawn { runServer(server) }
            return .success(ServingThread(server: server, thread: thread))
        } catch {
            return .failure(PipelineError(["cannot start the server thread: " + error.description]))
        }
    }

    /// The `[web]` listener: the same server and limits, each request checked by `access`
    /// (read-only, token) before the API sees it.
    static func start(tcp listener: TCPListener, _ api: APIHandler, access: WebAccess) -> Result<ServingThread, PipelineError> {
        let server: HTTPServer
        do throws(ServerError) {
            server = try HTTPServer(tcp: listener) { request, context in
                switch access.check(request) {
                case .allow: return api.handle(request, context)
                case .answer(let response): return .response(response)
                }
            }
        } catch {
            return .failure(PipelineError(["web: " + error.description]))
        }
        do throws(Errno) {
            let thread = try Thread.spawn { runServer(server) }
            return .success(ServingThread(server: server, thread: thread))
        } catch {
            return .failure(PipelineError(["cannot start the web server thread: " + error.description]))
        }
    }

    /// Lets in-flight responses drain, then ends the loop thread.
    func stop() {
        server.stop()
        thread.join()
    }
}
