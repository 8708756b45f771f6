import XCTest
import PerchHTTP
import PerchJSON
import PerchSystem

final class HTTPResponseTests: XCTestCase {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    func testEncoderSetsContentLengthAndConnectionClose() {
        let response = HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: Array("hi".utf8))
        XCTAssertEqual(text(response.encoded(keepAlive: true)),
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertEqual(text(response.encoded(keepAlive: false, includeBody: false)),
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(text(HTTPResponse(status: .noContent).encoded(keepAlive: true)), "HTTP/1.1 204 No Content\r\n\r\n")
        var injected = HTTPResponse(status: .ok)
        injected.headers.add("X", "a\r\nSet-Cookie: b")
        XCTAssertFalse(text(injected.encoded(keepAlive: true)).contains("\r\nSet-Cookie"))
    }

    func testErrorBodiesAreTheDocumentedJSON() throws {
        let parser = JSONParser(parseDouble: parseDoubleNearest)
        for code in [400, 404, 405, 413, 415, 500, 503] {
            let response = HTTPResponse.error(HTTPStatus(code: code), "bad \"thing\"")
            XCTAssertEqual(response.status.code, code)
            XCTAssertEqual(response.headers["content-type"], "application/json")
            let body = try parser.parse(Array(response.body.dropLast()))
            XCTAssertEqual(body, .object([("error", .object([("code", .integer(Int64(code))), ("message", "bad \"thing\"")]))]))
        }
    }

    func testRouterMatchesParametersAndDistinguishes404From405() {
        var router = HTTPRouter<Int>()
        router.add("GET", "/v1/status", 1)
        router.add("GET", "/v1/models/{name}", 2)
        router.add("DELETE", "/v1/models/{name}", 3)
        guard case .matched(1, _) = router.route(method: "GET", path: "/v1/status") else { return XCTFail() }
        guard case .matched(3, let parameters) = router.route(method: "DELETE", path: "/v1/models/kws") else { return XCTFail() }
        XCTAssertEqual(parameters, ["name": "kws"])
        guard case .notFound = router.route(method: "GET", path: "/v1/models") else { return XCTFail() }
        guard case .notFound = router.route(method: "GET", path: "/v1/status/") else { return XCTFail() }
        let route = router.route(method: "POST", path: "/v1/models/kws")
        guard case .methodNotAllowed(let allowed) = route else { return XCTFail() }
        XCTAssertEqual(allowed, ["GET", "DELETE"])
        let response = route.errorResponse(method: "POST", path: "/v1/models/kws")
        XCTAssertEqual(response?.status.code, 405)
        XCTAssertEqual(response?.headers["Allow"], "GET, DELETE")
        XCTAssertEqual(router.route(method: "GET", path: "/nope").errorResponse(method: "GET", path: "/nope")?.status.code, 404)
    }

    // MARK: response parser

    func parse(_ chunks: [[UInt8]], eof: Bool, toHEAD: Bool = false) -> (heads: [HTTPResponseHead], body: [UInt8], ends: Int, error: HTTPResponseParseError?) {
        var parser = HTTPResponseParser()
        if toHEAD { parser.expectResponseToHEAD() }
        var heads: [HTTPResponseHead] = [], body: [UInt8] = [], ends = 0
        func drain() -> HTTPResponseParseError? {
            while true {
                switch parser.next() {
                case .head(let h): heads.append(h)
                case .body(let b): XCTAssertFalse(b.isEmpty); body += b
                case .end: ends += 1
                case .needMoreData: return nil
                case .error(let e): return e
                }
            }
        }
        for chunk in chunks {
            parser.append(chunk)
            if let e = drain() { return (heads, body, ends, e) }
        }
        if eof { parser.finishInput() }
        let error = drain()
        return (heads, body, ends, error)
    }

    func testContentLengthAndChunkedResponsesSplitAtEveryPosition() {
        let fixed = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: 1\r\n\r\n".utf8)
        for message in [fixed, chunked] {
            let both = message + message  // two responses on one connection
            for split in 0...both.count {
                let result = parse([Array(both[..<split]), Array(both[split...])], eof: false)
                XCTAssertNil(result.error, String(split))
                XCTAssertEqual(result.heads.map { $0.status.code }, [200, 200])
                XCTAssertEqual(text(result.body), "hellohello")
                XCTAssertEqual(result.ends, 2)
            }
        }
    }

    func testCloseDelimitedBodyEndsAtEOFAndTruncationIsAnError() {
        let message = Array("HTTP/1.0 200 OK\r\nContent-Type: application/x-ndjson\r\n\r\n{\"a\":1}\n{\"b\":2}\n".utf8)
        let open = parse([message], eof: false)
        XCTAssertEqual(open.ends, 0)
        let closed = parse([message], eof: true)
        XCTAssertEqual(closed.ends, 1)
        XCTAssertEqual(closed.heads.first?.version, .http1_0)
        XCTAssertNotNil(parse([Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhal".utf8)], eof: true).error)
        XCTAssertNotNil(parse([Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab".utf8)], eof: true).error)
        XCTAssertNotNil(parse([Array("HTTP/1.1 2000 OK\r\n\r\n".utf8)], eof: false).error)
        XCTAssertNotNil(parse([Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".utf8)], eof: false).error)
        let head = parse([Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n".utf8)], eof: false, toHEAD: true)
        XCTAssertEqual(head.ends, 1)
    }

    func testEncodedStreamReadsBackLineByLine() throws {
        // The server's stream framing, read by the client's parser and line splitter one
        // byte at a time: every NDJSON line comes out whole, as soon as it is complete.
        let framing = HTTPStreamFraming.chunked
        var wire = framing.encodeHead(status: .ok, headers: HTTPHeaders([("Content-Type", "application/x-ndjson")]))
        let events: [JSONValue] = [["event": "detection", "score": 0.93], ["event": "heartbeat", "n": 2]]
        for event in events { wire += framing.encodeBodyPart(event.encoded() + [0x0A]) }
        wire += framing.encodeBodyPart([]) + framing.endOfBody
        var parser = HTTPResponseParser()
        var splitter = LineSplitter()
        var lines: [JSONValue] = []
        var ended = false
        for byte in wire {
            parser.append([byte])
            loop: while true {
                switch parser.next() {
                case .head(let head): XCTAssertEqual(head.headers["transfer-encoding"], "chunked")
                case .body(let bytes):
                    for line in try splitter.append(bytes) {
                        lines.append(try JSONParser(parseDouble: parseDoubleNearest).parse(line))
                    }
                case .end: ended = true
                case .needMoreData: break loop
                case .error(let e): return XCTFail(e.message)
                }
            }
        }
        XCTAssertEqual(lines, events)
        XCTAssertTrue(ended)
        XCTAssertTrue(splitter.remainder.isEmpty)
    }

    func testLineSplitterBoundsALineWithoutNewline() {
        var splitter = LineSplitter(maxLineBytes: 8)
        XCTAssertEqual(try splitter.append(Array("ab\r\ncd".utf8)), [Array("ab".utf8)])
        XCTAssertThrowsError(try splitter.append(Array("efghijkl".utf8)))
    }
}

final class JSONRequestBodyTests: XCTestCase {
    func request(_ contentType: String?, _ body: String) -> HTTPRequest {
        var headers = HTTPHeaders([("Host", "perch")])
        if let contentType { headers.add("Content-Type", contentType) }
        return HTTPRequest(head: HTTPRequestHead(method: "POST", target: "/", path: "/", query: nil, version: .http1_1,
                                                 headers: headers), body: Array(body.utf8))
    }

    func testJSONBodiesAreParsedOrRejectedWith415And400() {
        let parser = JSONParser(parseDouble: parseDoubleNearest)
        guard case .value(let value) = request("application/json; charset=utf-8", #"{"threshold":0.5}"#).jsonBody(parser)
        else { return XCTFail("valid body rejected") }
        XCTAssertEqual(value["threshold"], .double(0.5))
        guard case .rejected(let wrongType) = request("text/plain", "{}").jsonBody(parser) else { return XCTFail() }
        XCTAssertEqual(wrongType.status.code, 415)
        guard case .rejected(let missingType) = request(nil, "{}").jsonBody(parser) else { return XCTFail() }
        XCTAssertEqual(missingType.status.code, 415)
        guard case .rejected(let malformed) = request("application/json", "{\"a\":}").jsonBody(parser) else { return XCTFail() }
        XCTAssertEqual(malformed.status.code, 400)
        XCTAssertTrue(String(decoding: malformed.body, as: UTF8.self).contains("at byte 5"))
    }
}
