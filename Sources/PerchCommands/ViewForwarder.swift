import PerchHTTP
import PerchServer
import PerchSystem

/// `perch view`'s forwarding of one request to perchd's Unix socket. The head is awaited on
/// the loop thread (perchd answers heads at once); a streamed body (MJPEG, events) is then
/// pumped by a thread of its own, so the loop never waits on a stream.
enum ViewForwarder {
    /// Headers perchd sets that describe the body as it was framed on the socket.
    static let framingHeaders = ["content-length", "transfer-encoding", "connection", "keep-alive"]

    static func forward(_ request: HTTPRequest, _ context: RequestContext, socket: String) -> HandlerResult {
        let client: UnixSocketClient
        let head: HTTPResponseHead
        do throws(UnixSocketClient.Failure) {
            // Long enough for a quiet event stream; the page reconnects if it does time out.
            client = try UnixSocketClient(path: socket, timeoutMilliseconds: 120_000)
            try client.sendRequest(request.method, request.head.target)
            guard case .head(let h) = try client.nextEvent() else { throw UnixSocketClient.Failure("no response head") }
            head = h
        } catch {
            return .response(.error(.serviceUnavailable, "perchd at " + socket + ": " + error.description))
        }
        var headers = HTTPHeaders()
        for field in head.headers.fields where !framingHeaders.contains(field.name.lowercased()) {
            headers.add(field.name, field.value)
        }
        let type = head.headers["Content-Type"] ?? ""
        let streamed = type.hasPrefix("multipart/x-mixed-replace") || type.hasPrefix("application/x-ndjson")
        if !streamed || request.method == "HEAD" {
            var body: [UInt8] = []
            do throws(UnixSocketClient.Failure) {
                loop: while true {
                    switch try client.nextEvent() {
                    case .body(let bytes): body += bytes
                    case .end: break loop
                    default: throw UnixSocketClient.Failure("unexpected response data")
                    }
                }
            } catch {
                return .response(.error(.badGateway, "perchd at " + socket + ": " + error.description))
            }
            return .response(HTTPResponse(status: head.status, headers: headers, body: body))
        }
        let stream = context.makeStream(bufferCap: 8 * 1024 * 1024)
        let pump = Pump(client: client, stream: stream)
        // A viewer that leaves a quiet stream (no event for minutes) frees its thread at once,
        // not at perchd's next line or the client's 120 s timeout.
        stream.onClose { _ in pump.stop() }
        do throws(Errno) {
            _ = try Thread.spawn { pump.run() }
        } catch {
            return .response(.error(.internalServerError, "cannot start a thread: " + error.description))
        }
        return .stream(stream, status: head.status, headers: headers)
    }

    /// Copies a streamed body from perchd to the browser until either side ends it.
    final class Pump: @unchecked Sendable {
        let client: UnixSocketClient
        let stream: ResponseStream

        init(client: UnixSocketClient, stream: ResponseStream) {
            self.client = client
            self.stream = stream
        }

        /// Called on the server's loop thread when the viewer's stream ends.
        func stop() { client.shutdown() }

        func run() {
            defer { stream.finish() }
            while stream.isOpen {
                switch try? client.nextEvent() {
                case .body(let bytes)?: if !stream.send(bytes) { return }
                default: return
                }
            }
        }
    }
}
