import PerchHTTP
import PerchSystem

/// A blocking HTTP/1.1 client on a Unix socket, for the `perch` CLI and self-checks:
/// one request at a time on a keep-alive connection, or an NDJSON stream read line by line.
/// Every read and write is bounded by the timeout, so a stuck daemon cannot hang the CLI.
public final class UnixSocketClient {
    public struct Failure: Error, Equatable {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    public struct Response {
        public var head: HTTPResponseHead
        public var body: [UInt8]
    }

    private let fd: Int32
    private var parser = HTTPResponseParser()
    private var readBuffer = [UInt8](repeating: 0, count: 16 * 1024)
    private var peerClosed = false

    /// Connects to `path`; reads and writes time out after `timeoutMilliseconds`.
    public init(path: String, timeoutMilliseconds: Int64 = 10_000) throws(Failure) {
        do throws(Errno) {
            fd = try Socket.makeUnixStream(nonBlocking: false)
        } catch {
            throw Failure("socket: " + error.description)
        }
        do throws(Errno) {
            try Socket.setTimeouts(fd, milliseconds: timeoutMilliseconds)
            try Socket.connect(fd, unixPath: path)
        } catch {
            Socket.close(fd)
            throw Failure("cannot connect to " + path + ": " + error.description)
        }
    }

    deinit { Socket.close(fd) }

    /// Ends the connection from another thread: a `nextEvent()` blocked on the socket returns
    /// at once (the server closed the connection). The descriptor stays open until deinit.
    public func shutdown() {
        Socket.shutdownBoth(fd)
    }

    /// Sends one request and reads its whole response.
    public func request(_ method: String, _ target: String, headers: HTTPHeaders = HTTPHeaders(),
                        body: [UInt8] = []) throws(Failure) -> Response {
        try sendRequest(method, target, headers: headers, body: body)
        guard case .head(let head) = try nextEvent() else { throw Failure("expected a response head") }
        var responseBody: [UInt8] = []
        while true {
            switch try nextEvent() {
            case .body(let bytes): responseBody += bytes
            case .end: return Response(head: head, body: responseBody)
            default: throw Failure("unexpected response data")
            }
        }
    }

    /// Writes a request (with Host and, for a body, Content-Length).
    public func sendRequest(_ method: String, _ target: String, headers: HTTPHeaders = HTTPHeaders(),
                            body: [UInt8] = []) throws(Failure) {
        var text = method + " " + target + " HTTP/1.1\r\nHost: perch\r\n"
        for field in headers.fields { text += field.name + ": " + field.value + "\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { text += "Content-Length: " + String(body.count) + "\r\n" }
        if method == "HEAD" { parser.expectResponseToHEAD() }
        let bytes = Array((text + "\r\n").utf8) + body
        let failure = bytes.withUnsafeBytes { writeAll(fd: fd, $0) }
        if let failure { throw Failure("send: " + failure.description) }
    }

    /// The next response event, reading from the socket as needed (never `.needMoreData`).
    public func nextEvent() throws(Failure) -> HTTPResponseParser.Event {
        while true {
            let event = parser.next()
            switch event {
            case .needMoreData: break
            case .error(let error): throw Failure("bad response: " + error.message)
            default: return event
            }
            if peerClosed { throw Failure("the server closed the connection") }
            let fd = self.fd
            let received = readBuffer.withUnsafeMutableBytes { buffer -> Result<Int?, Errno> in
                do throws(Errno) { return .success(try Socket.receive(fd, into: buffer)) } catch { return .failure(error) }
            }
            let count: Int?
            switch received {
            case .success(let n): count = n
            case .failure(let error): throw Failure("receive: " + error.description)
            }
            guard let count else { throw Failure("timed out waiting for the server") }
            if count == 0 {
                peerClosed = true
                parser.finishInput()
            } else {
                readBuffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
        }
    }

    /// Requests `target` and hands each line of the streamed body to `onLine` until the
    /// stream ends or `onLine` returns false. Returns the response head.
    public func streamLines(_ target: String, onLine: ([UInt8]) -> Bool) throws(Failure) -> HTTPResponseHead {
        try sendRequest("GET", target)
        guard case .head(let head) = try nextEvent() else { throw Failure("expected a response head") }
        var splitter = LineSplitter()
        while true {
            switch try nextEvent() {
            case .body(let bytes):
                let lines: [[UInt8]]
                do throws(LineSplitter.LineTooLong) { lines = try splitter.append(bytes) } catch {
                    throw Failure("stream line longer than " + String(splitter.maxLineBytes) + " bytes")
                }
                for line in lines where !onLine(line) { return head }
            case .end:
                if !splitter.remainder.isEmpty { _ = onLine(splitter.remainder) }
                return head
            default: throw Failure("unexpected response data")
            }
        }
    }
}
