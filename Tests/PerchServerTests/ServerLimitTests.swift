import XCTest
import Foundation
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

final class ServerLimitTests: XCTestCase {
    func testWriteTimeoutClosesAStreamWhoseReaderStopped() throws {
        var configuration = ServerConfiguration()
        configuration.streamBufferCap = 64 * 1024 * 1024  // the cap must not be what ends it
        configuration.writeTimeoutMilliseconds = 300
        let server = try TestServer(configuration: configuration)
        try server.start()
        let client = try RawClient(path: server.path)
        client.send(get("/v1/events"))
        guard let stream = server.streams.waitForStream() else { return XCTFail("no stream opened") }
        // More than the socket buffers hold, so output stays pending without progress.
        XCTAssertTrue(stream.send([UInt8](repeating: 0x61, count: 4 * 1024 * 1024)))
        XCTAssertEqual(server.streams.waitForClose(stream), .timedOut)
        let other = try RawClient(path: server.path)
        other.send(get("/v1/status"))
        XCTAssertEqual(try other.readResponse().head.status.code, 200)
    }

    func testConnectionsBeyondTheLimitGet503() throws {
        var configuration = ServerConfiguration()
        configuration.maxConnections = 2
        let server = try TestServer(configuration: configuration)
        try server.start()
        let first = try RawClient(path: server.path), second = try RawClient(path: server.path)
        for client in [first, second] {
            client.send(get("/v1/status"))
            XCTAssertEqual(try client.readResponse().head.status.code, 200)
        }
        let third = try RawClient(path: server.path)
        let refused = try third.readResponse()
        XCTAssertEqual(refused.head.status.code, 503)
        XCTAssertEqual(try json(refused.body)["error"]?["code"], 503)
        XCTAssertTrue(third.waitForEOF())
    }
}

/// curl, the client the API documents, against the real server (skipped when curl is absent).
final class CurlTests: XCTestCase {
    func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let executable = "/usr/bin/curl"
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw XCTSkip("curl not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--silent", "--show-error", "--max-time", "10"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testCurlGetsStatusPostsALargeBodyAndSeesErrors() throws {
        let server = try TestServer()
        try server.start()
        let status = try curl(["--unix-socket", server.path, "http://perch/v1/status"])
        XCTAssertEqual(status.status, 0)
        XCTAssertEqual(try json(Array(status.output.utf8))["status"], "ok")
        // Over 1 KiB: curl sends Expect: 100-continue and waits for the 100.
        let big = "[" + Array(repeating: "12345", count: 2000).joined(separator: ",") + "]"
        let echoed = try curl(["--unix-socket", server.path, "-H", "Content-Type: application/json",
                               "--data-binary", big, "--expect100-timeout", "5", "http://perch/v1/echo"])
        XCTAssertEqual(echoed.output, big)
        let wrong = try curl(["--unix-socket", server.path, "-X", "PUT", "-i", "http://perch/v1/status"])
        XCTAssertTrue(wrong.output.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"), wrong.output)
        XCTAssertTrue(wrong.output.contains("\r\nAllow: GET, DELETE\r\n"), wrong.output)
    }

    func testCurlReadsTheEventStream() throws {
        let server = try TestServer()
        try server.start()
        let streams = server.streams
        let producer = try PerchSystem.Thread.spawn {
            guard let stream = streams.waitForStream() else { return }
            for i in 0..<3 { stream.send(Array(("{\"event\":" + String(i) + "}\n").utf8)) }
            stream.finish()
        }
        defer { producer.join() }
        let events = try curl(["--unix-socket", server.path, "-N", "http://perch/v1/events"])
        XCTAssertEqual(events.status, 0)
        XCTAssertEqual(events.output, "{\"event\":0}\n{\"event\":1}\n{\"event\":2}\n")
    }
}
