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
        let answer = request(path, "GET /v1/peer HTTP/1.1\r\nHost: perch\r\n\r\nGET /nope HTTP/1.1\r\nHost: perch\r\nConnection: close\r\n\r\n")
        server.stop()
        loop.join()
        guard answer.count == 2 else { return r.check("server: two pipelined answers", false, String(answer.count) + " answers") }
        let body = try? ProtocolSelfChecks.parser.parse(Array(answer[0].body.dropLast()))
        r.check("server: 200 with peer credentials of this process",
                answer[0].head.status.code == 200 && body?["pid"] == .integer(Int64(pid)))
        r.check("server: 404 JSON error", answer[1].head.status.code == 404)
    }

    /// Sends `text` and reads responses until the server closes (2 s timeouts).
    private static func request(_ path: String, _ text: String) -> [(head: HTTPResponseHead, body: [UInt8])] {
        guard let fd = try? Socket.makeUnixStream(nonBlocking: false) else { return [] }
        defer { Socket.close(fd) }
        guard (try? Socket.setTimeouts(fd, milliseconds: 2000)) != nil,
              (try? Socket.connect(fd, unixPath: path)) != nil else { return [] }
        var bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ try? Socket.send(fd, $0) }) == bytes.count else { return [] }
        var parser = HTTPResponseParser()
        var answers: [(head: HTTPResponseHead, body: [UInt8])] = []
        var head: HTTPResponseHead? = nil
        var body: [UInt8] = []
        bytes = [UInt8](repeating: 0, count: 4096)
        while true {
            switch parser.next() {
            case .head(let h): head = h
            case .body(let b): body += b
            case .end:
                if let head { answers.append((head, body)) }
                head = nil
                body = []
            case .error: return answers
            case .needMoreData:
                let count = bytes.withUnsafeMutableBytes { try? Socket.receive(fd, into: $0) }
                guard let n = count else { return answers }  // timeout or error
                if n == 0 {
                    parser.finishInput()
                    if head == nil { return answers }
                } else {
                    bytes.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
        }
    }
}
