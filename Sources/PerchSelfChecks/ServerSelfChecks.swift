import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// A real HTTPServer on a temporary Unix socket, its loop on a second thread, asked by a
/// blocking client socket: epoll, eventfd, accept4 and SO_PEERCRED on the target (or qemu).
enum ServerSelfChecks {
    static func run(_ r: CheckRunner) {
        let pid = Environment.processID
        let path = "/tmp/perch-selfcheck-" + String(pid) + ".sock"
        let server: HTTPServer
        let listener: UnixListener
        do throws(ServerError) {
            listener = try UnixListener.bind(path: path, mode: 0o600)
            server = try HTTPServer(listener: listener) { request, context in
                guard request.path == "/v1/peer" else { return .response(.error(.notFound, "no such resource")) }
                return .response(.json(.object([("pid", .integer(Int64(context.peer.pid))),
                                                 ("uid", .integer(Int64(context.peer.uid)))])))
            }
        } catch {
            return r.check("server: listen on " + path, false, error.description)
        }
        defer { listener.close() }
        r.check("server: socket mode 0600", (try? FileSystem.mode(path)) == 0o600)
        let loop: Thread
        do throws(Errno) {
            loop = try Thread.spawn {
                do throws(ServerError) { try server.run() } catch { Log.error("server loop: " + error.description) }
            }
        } catch {
            return r.check("server: start thread", false, error.description)
        }
        var answers: [UnixSocketClient.Response] = []
        var failure = ""
        do throws(UnixSocketClient.Failure) {
            let client = try UnixSocketClient(path: path, timeoutMilliseconds: 2000)
            answers.append(try client.request("GET", "/v1/peer"))
            answers.append(try client.request("GET", "/nope"))  // same connection: keep-alive
        } catch {
            failure = error.description
        }
        server.stop()
        loop.join()
        guard answers.count == 2 else { return r.check("server: two answers on one connection", false, failure) }
        let body = try? ProtocolSelfChecks.parser.parse(Array(answers[0].body.dropLast()))
        r.check("server: 200 with peer credentials of this process",
                answers[0].head.status.code == 200 && body?["pid"] == .integer(Int64(pid)))
        r.check("server: 404 JSON error", answers[1].head.status.code == 404)
    }
}
