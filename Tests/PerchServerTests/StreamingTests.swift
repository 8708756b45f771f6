import XCTest
import Foundation
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

final class StreamingTests: XCTestCase {
    func testStreamedLinesArriveAndTheConnectionStaysUsable() throws {
        let server = try TestServer()
        try server.start()
        let client = try RawClient(path: server.path)
        client.send(get("/v1/events"))
        guard let stream = server.streams.waitForStream() else { return XCTFail("no stream opened") }
        // Pushed from this thread, not the loop's.
        XCTAssertTrue(stream.send(Array("{\"event\":1}\n".utf8)))
        XCTAssertTrue(stream.send(Array("{\"event\":2}\n".utf8)))
        stream.finish()
        XCTAssertFalse(stream.send(Array("late\n".utf8)))
        let response = try client.readResponse()
        XCTAssertEqual(response.head.headers["Transfer-Encoding"], "chunked")
        XCTAssertEqual(response.head.headers["Content-Type"], "application/x-ndjson")
        var splitter = LineSplitter()
        let lines = try splitter.append(response.body).map { try json($0) }
        XCTAssertEqual(lines, [["event": 1], ["event": 2]])
        XCTAssertEqual(server.streams.waitForClose(stream), .finished)
        client.send(get("/v1/status"))
        XCTAssertEqual(try client.readResponse().head.status.code, 200)
    }

    /// Found by tools/load: POST /v1/infer was sometimes answered 500 when the model's thread
    /// finished the stream before the handler had returned it.
    func testAStreamFinishedBeforeTheHandlerReturnsIsDelivered() throws {
        let server = try TestServer()
        try server.start()
        let client = try RawClient(path: server.path)
        client.send(get("/v1/answered"))
        let response = try client.readResponse()
        XCTAssertEqual(response.head.status.code, 200)
        XCTAssertEqual(response.body, Array("{\"answer\":42}\n".utf8))
        guard let stream = server.streams.waitForStream() else { return XCTFail("no stream opened") }
        XCTAssertEqual(server.streams.waitForClose(stream), .finished)
        client.send(get("/v1/status"))
        XCTAssertEqual(try client.readResponse().head.status.code, 200, "the connection stays usable")
    }

    func testSlowStreamReaderIsCutOffWhileOthersAreServed() throws {
        var configuration = ServerConfiguration()
        configuration.streamBufferCap = 64 * 1024
        let server = try TestServer(configuration: configuration)
        try server.start()
        let slow = try RawClient(path: server.path)
        slow.send(get("/v1/events"))
        guard let stream = server.streams.waitForStream() else { return XCTFail("no stream opened") }
        let line = Array((String(repeating: "x", count: 1023) + "\n").utf8)
        var sent = 0
        // The reader never reads: socket buffers fill, then the cap is passed.
        while stream.send(line) && sent < 100_000 {
            sent += 1
            // Paced so the loop keeps up with the hand-off queue: the cut-off must come from
            // the connection's own backlog (socket buffers full, output past the cap).
            if sent % 16 == 0 { usleep(1000) }
            if sent % 64 == 0 {
                // Meanwhile other clients are answered.
                let other = try RawClient(path: server.path)
                other.send(get("/v1/status"))
                XCTAssertEqual(try other.readResponse().head.status.code, 200)
            }
        }
        XCTAssertLessThan(sent, 100_000, "the stream was never cut off")
        XCTAssertGreaterThan(sent, 64, "cut off before the socket buffers could fill")
        XCTAssertEqual(server.streams.waitForClose(stream), .tooSlow)
        XCTAssertFalse(stream.isOpen)
        XCTAssertTrue(slow.waitForEOF(), "the slow client's connection is closed")
        let after = try RawClient(path: server.path)
        after.send(get("/v1/status"))
        XCTAssertEqual(try after.readResponse().head.status.code, 200)
    }

    func testGracefulStopEndsStreamsAndFlushesResponses() throws {
        let server = try TestServer()
        try server.start()
        let watcher = try RawClient(path: server.path)
        watcher.send(get("/v1/events"))
        guard let stream = server.streams.waitForStream() else { return XCTFail("no stream opened") }
        XCTAssertTrue(stream.send(Array("{\"last\":true}\n".utf8)))
        XCTAssertTrue(server.stop())
        // The queued line and the stream's proper end reached the client before the close.
        let response = try watcher.readResponse()
        XCTAssertEqual(response.body, Array("{\"last\":true}\n".utf8))
        XCTAssertTrue(watcher.waitForEOF())
        XCTAssertEqual(server.streams.waitForClose(stream), .serverStopping)
        XCTAssertFalse(stream.send(Array("x\n".utf8)))
        server.listener.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.path), "socket file removed on close")
        XCTAssertThrowsError(try RawClient(path: server.path))
    }
}
