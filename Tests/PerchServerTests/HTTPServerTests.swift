import XCTest
import Foundation
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

final class HTTPServerTests: XCTestCase {
    func startServer(_ configuration: ServerConfiguration = ServerConfiguration()) throws -> TestServer {
        let server = try TestServer(configuration: configuration)
        try server.start()
        return server
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startServer()
        let client = try RawClient(path: server.path)
        var connectionIDs: Set<Int64> = []
        for _ in 0..<3 {
            client.send(get("/v1/status"))
            let response = try client.readResponse()
            XCTAssertEqual(response.head.status.code, 200)
            XCTAssertNil(response.head.headers["Connection"])
            let body = try json(response.body)
            XCTAssertEqual(body["status"], "ok")
            connectionIDs.insert(try XCTUnwrap(body["connection"]?.int64Value))
        }
        XCTAssertEqual(connectionIDs.count, 1, "all three requests on one connection")
        client.send(get("/v1/status", extraHeaders: "Connection: close\r\n"))
        XCTAssertEqual(try client.readResponse().head.headers["Connection"], "close")
        XCTAssertTrue(client.waitForEOF())
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startServer()
        let client = try RawClient(path: server.path)
        let echo = "POST /v1/echo HTTP/1.1\r\nHost: perch\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n[1,2,3]"
        client.send(get("/v1/status") + echo + get("/nope") + get("/v1/peer"))
        XCTAssertEqual(try client.readResponse().head.status.code, 200)
        let echoed = try client.readResponse()
        XCTAssertEqual(echoed.body, Array("[1,2,3]".utf8))
        XCTAssertEqual(try client.readResponse().head.status.code, 404)
        XCTAssertNotNil(try json(client.readResponse().body)["pid"])
    }

    func testMalformedRequestGets400JSONAndTheServerKeepsRunning() throws {
        let server = try startServer()
        let bad = try RawClient(path: server.path)
        bad.send("THIS IS NOT HTTP\r\n\r\n")
        let response = try bad.readResponse()
        XCTAssertEqual(response.head.status.code, 400)
        XCTAssertEqual(response.head.headers["Content-Type"], "application/json")
        XCTAssertEqual(try json(response.body)["error"]?["code"], 400)
        XCTAssertNotNil(try json(response.body)["error"]?["message"]?.stringValue)
        XCTAssertTrue(bad.waitForEOF())
        let good = try RawClient(path: server.path)
        good.send(get("/v1/status"))
        XCTAssertEqual(try good.readResponse().head.status.code, 200)
    }

    func testOversizedHeaderGets431AndOversizedBodyGets413() throws {
        var configuration = ServerConfiguration()
        configuration.requestLimits = HTTPRequestLimits(maxHeadBytes: 1024, maxBodyBytes: 4096)
        let server = try startServer(configuration)
        let big = try RawClient(path: server.path)
        big.send(get("/v1/status", extraHeaders: "X-Filler: " + String(repeating: "a", count: 2000) + "\r\n"))
        XCTAssertEqual(try big.readResponse().head.status.code, 431)
        XCTAssertTrue(big.waitForEOF())
        let huge = try RawClient(path: server.path)
        // Refused from the header alone: the body is never sent.
        huge.send("POST /v1/echo HTTP/1.1\r\nHost: perch\r\nContent-Type: application/json\r\nContent-Length: 4097\r\n\r\n")
        let response = try huge.readResponse()
        XCTAssertEqual(response.head.status.code, 413)
        XCTAssertEqual(try json(response.body)["error"]?["code"], 413)
    }

    func testWrongMethodGets405WithAllowAndWrongMediaType415() throws {
        let server = try startServer()
        let client = try RawClient(path: server.path)
        client.send("PUT /v1/status HTTP/1.1\r\nHost: perch\r\nContent-Length: 0\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.head.status.code, 405)
        XCTAssertEqual(response.head.headers["Allow"], "GET, DELETE")
        XCTAssertEqual(try json(response.body)["error"]?["code"], 405)
        client.send("POST /v1/echo HTTP/1.1\r\nHost: perch\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertEqual(try client.readResponse().head.status.code, 415)
    }

    func testHTTP10ClosesAndHEADHasNoBody() throws {
        let server = try startServer()
        let old = try RawClient(path: server.path)
        old.send("GET /v1/status HTTP/1.0\r\n\r\n")
        let response = try old.readResponse()
        XCTAssertEqual(response.head.headers["Connection"], "close")
        XCTAssertTrue(old.waitForEOF())
        let keep = try RawClient(path: server.path)
        keep.send("GET /v1/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try keep.readResponse().head.headers["Connection"], "keep-alive")
        keep.send("GET /v1/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try keep.readResponse().head.status.code, 200, "the 1.0 keep-alive connection was reused")
        let head = try RawClient(path: server.path)
        head.send("HEAD /v1/status HTTP/1.1\r\nHost: perch\r\n\r\n")
        head.parser.expectResponseToHEAD()
        let headResponse = try head.readResponse()
        XCTAssertEqual(headResponse.head.status.code, 405)  // no HEAD route: 405 lists GET
        XCTAssertTrue(headResponse.body.isEmpty)
    }

    func testExpectContinueGets100BeforeTheBody() throws {
        let server = try startServer()
        let client = try RawClient(path: server.path)
        client.send("POST /v1/echo HTTP/1.1\r\nHost: perch\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        XCTAssertEqual(try client.readResponse().head.status.code, 100)
        client.send("true")
        let response = try client.readResponse()
        XCTAssertEqual(response.head.status.code, 200)
        XCTAssertEqual(response.body, Array("true".utf8))
    }

    func testPeerCredentialsAreThisProcess() throws {
        let server = try startServer()
        let client = try RawClient(path: server.path)
        client.send(get("/v1/peer"))
        let body = try json(client.readResponse().body)
        XCTAssertEqual(body["uid"], .integer(Int64(getuid())))
        XCTAssertEqual(body["gid"], .integer(Int64(getgid())))
        XCTAssertEqual(body["pid"], .integer(Int64(getpid())))
    }

    func testHundredConcurrentClientsAreAllAnswered() throws {
        let server = try startServer()
        let path = server.path
        let codes = Codes()
        DispatchQueue.concurrentPerform(iterations: 100) { i in
            do {
                let client = try RawClient(path: path)
                client.send("POST /v1/echo HTTP/1.1\r\nHost: perch\r\nContent-Type: application/json\r\nContent-Length: "
                            + String(String(i).utf8.count) + "\r\n\r\n" + String(i))
                let response = try client.readResponse()
                XCTAssertEqual(response.body, Array(String(i).utf8))
                codes.append(response.head.status.code)
            } catch {
                XCTFail("client " + String(i) + ": " + String(describing: error))
            }
        }
        XCTAssertEqual(codes.all.count, 100)
        XCTAssertTrue(codes.all.allSatisfy { $0 == 200 })
    }

    func testReadTimeoutGives408AndIdleConnectionsAreClosed() throws {
        var configuration = ServerConfiguration()
        configuration.readTimeoutMilliseconds = 300
        configuration.idleTimeoutMilliseconds = 600
        let server = try startServer(configuration)
        let stalled = try RawClient(path: server.path)
        stalled.send("GET /v1/status HTTP/1.1\r\nHost: per")
        let start = Date()
        XCTAssertEqual(try stalled.readResponse().head.status.code, 408)
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.25)
        let idle = try RawClient(path: server.path)
        idle.send(get("/v1/status"))
        XCTAssertEqual(try idle.readResponse().head.status.code, 200)
        XCTAssertTrue(idle.waitForEOF(), "idle keep-alive connection closed by the server")
    }
}

final class Codes: @unchecked Sendable {
    private let lock = NSLock()
    private var codes: [Int] = []
    func append(_ code: Int) { lock.withLock { codes.append(code) } }
    var all: [Int] { lock.withLock { codes } }
}
