import XCTest
import Foundation
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// The CLI's client against the real server.
final class UnixSocketClientTests: XCTestCase {
    func testRequestsOnOneConnectionAndAStreamReadLineByLine() throws {
        let server = try TestServer()
        try server.start()
        let client = try UnixSocketClient(path: server.path)
        let first = try client.request("GET", "/v1/status")
        let second = try client.request("POST", "/v1/echo", headers: HTTPHeaders([("Content-Type", "application/json")]),
                                        body: Array("[true]".utf8))
        XCTAssertEqual(first.head.status.code, 200)
        XCTAssertEqual(second.body, Array("[true]".utf8))
        XCTAssertEqual(try client.request("HEAD", "/v1/status").body, [])
        let streams = server.streams
        let producer = try PerchSystem.Thread.spawn {
            guard let stream = streams.waitForStream() else { return }
            for i in 0..<5 { stream.send(Array(("{\"n\":" + String(i) + "}\n").utf8)) }
            stream.finish()
        }
        defer { producer.join() }
        var lines: [JSONValue] = []
        let head = try client.streamLines("/v1/events") { line in
            lines.append((try? json(line)) ?? .null)
            return true
        }
        XCTAssertEqual(head.headers["Content-Type"], "application/x-ndjson")
        XCTAssertEqual(lines, (0..<5).map { .object([("n", .integer(Int64($0)))]) })
        // The stream ended with its last chunk: the connection is still good.
        XCTAssertEqual(try client.request("GET", "/v1/status").head.status.code, 200)
    }

    func testConnectingToNothingIsAClearError() {
        XCTAssertThrowsError(try UnixSocketClient(path: "/nonexistent/perch.sock")) {
            XCTAssertTrue(($0 as? UnixSocketClient.Failure)?.message.hasPrefix("cannot connect to /nonexistent/perch.sock") == true)
        }
    }

    func testAStreamNeverReturnedToTheServerIsReportedClosed() throws {
        // A handler that makes a stream but answers normally: the owner must learn that
        // nothing it sends goes anywhere.
        let directory = NSTemporaryDirectory() + "perch-orphan-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let listener = try UnixListener.bind(path: directory + "/s.sock")
        let registry = StreamRegistry()
        let server = try HTTPServer(listener: listener) { request, context in
            registry.add(context.makeStream())
            return .response(.json("ok"))
        }
        let loop = try PerchSystem.Thread.spawn { try? server.run() }
        defer { server.stop(); loop.join(); listener.close() }
        XCTAssertEqual(try UnixSocketClient(path: directory + "/s.sock").request("GET", "/").head.status.code, 200)
        guard let orphan = registry.waitForStream() else { return XCTFail("handler did not run") }
        orphan.send(Array("x\n".utf8))
        XCTAssertEqual(registry.waitForClose(orphan), .peerClosed)
        XCTAssertFalse(orphan.send(Array("y\n".utf8)))
    }
}
