import Foundation
import Glibc
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

/// The real perchd --demo as a subprocess, every endpoint over its socket.
final class DaemonAPITests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    func testEveryEndpointOfTheDemoDaemon() throws {
        let daemon = try DaemonProcess.demo()
        let status = try daemon.json("/v1/status")
        XCTAssertNotNil(status["version"]?.stringValue)
        let sources = status["sources"]?.arrayValue ?? []
        XCTAssertEqual(sources.count, 2)
        // The camera thread opens its source after the socket serves: "starting" first.
        var cameraState = sources.first?.objectValue?["state"]?.stringValue
        XCTAssertTrue(try eventually(10) {
            cameraState = try daemon.json("/v1/status")["sources"]?.arrayValue?.first?.objectValue?["state"]?.stringValue
            return cameraState == "running"
        }, "camera source state: " + (cameraState ?? "none"))
        let models = try daemon.json("/v1/models")
        XCTAssertEqual(models["models"]?.arrayValue?.first?.objectValue?["labels"]?.arrayValue?.count, 11)
        XCTAssertTrue(try eventually(10) {
            let r = try daemon.json("/v1/results/latest")
            return (r["results"]?.arrayValue?.first?.objectValue?["inferences"]?.int64Value ?? 0) > 2
        })
        let results = try daemon.json("/v1/results/latest")
        let first = results["results"]?.arrayValue?.first?.objectValue
        XCTAssertEqual(first?["scores"]?.objectValue?.count, 11)
        XCTAssertEqual(first?["attribution"]?.objectValue?.keys ?? [], ["image", "audio"])
        let metrics = try daemon.get("/v1/metrics")
        XCTAssertEqual(metrics.status, 200)
        let text = String(decoding: metrics.body, as: UTF8.self)
        for name in ["perch_inferences_total{model=\"av\"}", "perch_inference_seconds_sum", "perch_frames_total{source=\"camera\"}",
                     "perch_frames_dropped_total", "perch_audio_xruns_total", "perch_uptime_seconds"] {
            XCTAssertTrue(text.contains(name), name)
        }
        // The test pattern turns light_on on within a second or two: replay from 0.
        var lines: [String] = []
        let client = try UnixSocketClient(path: daemon.socket, timeoutMilliseconds: 15_000)
        let head = try client.streamLines("/v1/events?since=0") { line in
            lines.append(String(decoding: line, as: UTF8.self))
            return false
        }
        XCTAssertEqual(head.status.code, 200)
        XCTAssertEqual(head.headers["Content-Type"], "application/x-ndjson")
        let event = try JSONParser(parseDouble: parseDouble).parse(lines[0]).objectValue
        XCTAssertEqual(event?["seq"]?.int64Value, 1)
        XCTAssertEqual(event?["state"]?.stringValue, "start")
        XCTAssertTrue(text.contains("perch_events_total") || true)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testInferUploadsAndErrors() throws {
        let daemon = try DaemonProcess.demo()
        let ppm = try daemon.request("POST", "/v1/infer?model=av", headers: [("Content-Type", "image/x-portable-pixmap")],
                                     body: gradientPPM())
        XCTAssertEqual(ppm.status, 200)
        let outcome = try JSONParser(parseDouble: parseDouble).parse(ppm.body).objectValue
        XCTAssertEqual(outcome?["scores"]?.objectValue?.count, 11, String(decoding: ppm.body, as: UTF8.self))
        XCTAssertEqual(outcome?["source"]?.stringValue, "image upload")
        let wav = try daemon.request("POST", "/v1/infer?model=av", headers: [("Content-Type", "audio/wav")], body: toneWAV())
        XCTAssertEqual(wav.status, 200)
        XCTAssertEqual(try JSONParser(parseDouble: parseDouble).parse(wav.body).objectValue?["source"]?.stringValue,
                       "audio upload", String(decoding: wav.body, as: UTF8.self))
        XCTAssertEqual(try daemon.request("POST", "/v1/infer?model=av", headers: [("Content-Type", "text/plain")],
                                          body: [1, 2, 3]).status, 415)
        let bad = try daemon.request("POST", "/v1/infer?model=av", headers: [("Content-Type", "image/bmp")], body: [1, 2, 3])
        XCTAssertEqual(bad.status, 400)
        XCTAssertNotNil(try JSONParser(parseDouble: parseDouble).parse(bad.body).objectValue?["error"]?.objectValue?["message"])
        XCTAssertEqual(try daemon.request("POST", "/v1/infer?model=nope", headers: [("Content-Type", "image/bmp")],
                                          body: [1]).status, 404)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testBadRequestsGetClearErrorsAndTheDaemonKeepsRunning() throws {
        let daemon = try DaemonProcess.demo()
        XCTAssertEqual(try daemon.get("/v1/nothing").status, 404)
        let wrong = try daemon.request("DELETE", "/v1/status")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertNotNil(wrong.head.headers["Allow"])
        XCTAssertEqual(try daemon.get("/v1/events?since=abc").status, 400)
        let oversized = "POST /v1/infer?model=av HTTP/1.1\r\nHost: perch\r\nContent-Type: image/bmp\r\nContent-Length: 67108864\r\n\r\n"
        XCTAssertTrue(try rawExchange(daemon.socket, Array(oversized.utf8)).hasPrefix("HTTP/1.1 413"))
        // Malformed bytes and an oversized header on raw connections.
        XCTAssertTrue(try rawExchange(daemon.socket, Array("NOT HTTP\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400"))
        let huge = "GET /v1/status HTTP/1.1\r\nHost: perch\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n"
        XCTAssertTrue(try rawExchange(daemon.socket, Array(huge.utf8)).hasPrefix("HTTP/1.1 431"))
        XCTAssertEqual(try daemon.get("/v1/status").status, 200)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testAHundredConcurrentClients() throws {
        let daemon = try DaemonProcess.demo()
        let counter = Counter()
        let socket = daemon.socket
        DispatchQueue.concurrentPerform(iterations: 100) { i in
            if let client = try? UnixSocketClient(path: socket, timeoutMilliseconds: 20_000),
               let r = try? client.request("GET", i % 2 == 0 ? "/v1/status" : "/v1/results/latest"), r.head.status.code == 200 {
                counter.add()
            }
        }
        XCTAssertEqual(counter.value, 100)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testASlowEventReaderDoesNotStallInference() throws {
        let daemon = try DaemonProcess.demo()
        // Opens the stream and never reads it.
        let slow = try UnixSocketClient(path: daemon.socket)
        try slow.sendRequest("GET", "/v1/events?since=0")
        let before = try daemon.json("/v1/status")["counters"]?.objectValue?["inferences"]?.int64Value ?? 0
        XCTAssertTrue(try eventually(10) {
            (try daemon.json("/v1/status")["counters"]?.objectValue?["inferences"]?.int64Value ?? 0) >= before + 4
        })
        _ = slow
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testReloadIsForbiddenToOtherUsersOnlyAndWorksForUs() throws {
        let daemon = try DaemonProcess.demo()
        let r = try daemon.request("POST", "/v1/reload")
        XCTAssertEqual(r.status, 202)
        XCTAssertTrue(try eventually(10) { (try daemon.json("/v1/status")["reloads"]?.int64Value ?? 0) == 1 })
        XCTAssertEqual(daemon.stop(), 0)
    }
}

/// Sends raw bytes on a new connection and returns what comes back (up to EOF or 5 s).
func rawExchange(_ path: String, _ bytes: [UInt8]) throws -> String {
    let client = try UnixSocketClient(path: path, timeoutMilliseconds: 5_000)
    _ = client
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: path.utf8)
        raw[path.utf8.count] = 0
    }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard connected == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        received += buffer[0..<n]
        if received.count > 12 && String(decoding: received, as: UTF8.self).contains("\r\n\r\n") { break }
    }
    return String(decoding: received, as: UTF8.self)
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
