import XCTest
import Foundation
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// A real server on a temporary Unix socket, its loop on a background thread.
final class TestServer {
    let directory: String
    let path: String
    let listener: UnixListener
    let server: HTTPServer
    let streams = StreamRegistry()
    private var thread: PerchSystem.Thread?
    private let finished = DispatchSemaphore(value: 0)

    init(configuration: ServerConfiguration = ServerConfiguration(), mode: UInt32 = 0o660, group: String? = nil,
         listener: UnixListener? = nil) throws {
        directory = NSTemporaryDirectory() + "perch-server-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/perch.sock"
        self.listener = try listener ?? UnixListener.bind(path: path, mode: mode, group: group)
        let streams = self.streams
        var router = HTTPRouter<TestRoute>()
        router.add("GET", "/v1/status", .status)
        router.add("POST", "/v1/echo", .echo)
        router.add("GET", "/v1/peer", .peer)
        router.add("GET", "/v1/events", .events)
        router.add("GET", "/v1/answered", .answeredBeforeReturn)
        router.add("DELETE", "/v1/status", .status)
        server = try HTTPServer(listener: self.listener, configuration: configuration) { request, context in
            switch router.route(method: request.method, path: request.path) {
            case .notFound, .methodNotAllowed:
                return .response(router.route(method: request.method, path: request.path)
                    .errorResponse(method: request.method, path: request.path)!)
            case .matched(let route, _):
                return route.handle(request, context, streams)
            }
        }
    }

    func start() throws {
        let server = self.server
        let finished = self.finished
        thread = try PerchSystem.Thread.spawn {
            do throws(ServerError) {
                try server.run()
            } catch {
                XCTFail("server.run failed: " + error.description)
            }
            finished.signal()
        }
    }

    /// Stops the loop and waits (at most `seconds`) for run() to return.
    @discardableResult
    func stop(seconds: Double = 10) -> Bool {
        guard let running = thread else { return true }
        server.stop()
        let ended = finished.wait(timeout: .now() + seconds) == .success
        if ended {
            running.join()
            thread = nil
        }
        return ended
    }

    deinit {
        stop()
        listener.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

enum TestRoute {
    case status, echo, peer, events, answeredBeforeReturn

    func handle(_ request: HTTPRequest, _ context: RequestContext, _ streams: StreamRegistry) -> HandlerResult {
        switch self {
        case .status:
            return .response(.json(.object([("status", "ok"), ("connection", .integer(Int64(context.connectionID)))])))
        case .echo:
            guard request.head.mediaType == "application/json" else {
                return .response(.error(.unsupportedMediaType, "send application/json"))
            }
            return .response(HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "application/json")]),
                                          body: request.body))
        case .peer:
            let peer = context.peer
            return .response(.json(.object([("uid", .integer(Int64(peer.uid))), ("gid", .integer(Int64(peer.gid))),
                                             ("pid", .integer(Int64(peer.pid)))])))
        case .events:
            let stream = context.makeStream()
            streams.add(stream)
            return .stream(stream, status: .ok, headers: HTTPHeaders([("Content-Type", "application/x-ndjson")]))
        case .answeredBeforeReturn:
            // As when an upload's inference thread answers before the handler has returned.
            let stream = context.makeStream()
            streams.add(stream)
            stream.send(Array("{\"answer\":42}\n".utf8))
            stream.finish()
            return .stream(stream, status: .ok, headers: HTTPHeaders([("Content-Type", "application/json")]))
        }
    }
}

/// Streams opened by handlers, and how each ended, for the test thread to drive.
final class StreamRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var opened: [ResponseStream] = []
    private var reasons: [UInt64: StreamCloseReason] = [:]

    func add(_ stream: ResponseStream) {
        lock.withLock { opened.append(stream) }
        stream.onClose { [self] reason in lock.withLock { reasons[stream.connectionID] = reason } }
    }

    /// Waits for the `count`-th stream to be opened.
    func waitForStream(_ count: Int = 1, seconds: Double = 5) -> ResponseStream? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let s = lock.withLock({ opened.count >= count ? opened[count - 1] : nil }) { return s }
            usleep(2000)
        }
        return nil
    }

    func waitForClose(_ stream: ResponseStream, seconds: Double = 10) -> StreamCloseReason? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let r = lock.withLock({ reasons[stream.connectionID] }) { return r }
            usleep(2000)
        }
        return nil
    }
}

/// A blocking client socket with a receive timeout, speaking raw bytes.
final class RawClient {
    let fd: Int32
    var parser = HTTPResponseParser()
    private var atEOF = false

    init(path: String, receiveTimeoutSeconds: Int = 5) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: errno " + String(errno)) }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw ClientError("connect: errno " + String(code))
        }
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// Reads once; nil on timeout or error; [] at end of stream.
    func receive(max: Int = 65536) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { return nil }
        return Array(buffer[0..<n])
    }

    /// The next complete response on this connection.
    func readResponse() throws -> (head: HTTPResponseHead, body: [UInt8]) {
        var head: HTTPResponseHead? = nil
        var body: [UInt8] = []
        while true {
            switch parser.next() {
            case .head(let h): head = h
            case .body(let b): body += b
            case .end:
                guard let head else { throw ClientError("end before head") }
                return (head, body)
            case .error(let e): throw ClientError(e.message)
            case .needMoreData:
                if atEOF { throw ClientError("connection closed before a complete response") }
                guard let bytes = receive() else { throw ClientError("timed out waiting for a response") }
                if bytes.isEmpty { atEOF = true; parser.finishInput() } else { parser.append(bytes) }
            }
        }
    }

    /// True when the server closes the connection (reads until EOF, discarding data).
    func waitForEOF() -> Bool {
        while true {
            guard let bytes = receive() else { return false }
            if bytes.isEmpty { return true }
        }
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func get(_ path: String, extraHeaders: String = "") -> String {
    "GET " + path + " HTTP/1.1\r\nHost: perch\r\n" + extraHeaders + "\r\n"
}

func json(_ body: [UInt8]) throws -> JSONValue {
    try JSONParser(parseDouble: parseDoubleNearest).parse(body)
}
