import XCTest
import PerchHTTP

/// Feeds the parser bytes split at every position, as swift-nio's HTTPDecoderTest does.
final class HTTPRequestParserTests: XCTestCase {
    /// Feeds `chunks` one by one and collects every event other than needMoreData.
    func events(_ chunks: [[UInt8]], limits: HTTPRequestLimits = HTTPRequestLimits()) -> [HTTPRequestParser.Event] {
        var parser = HTTPRequestParser(limits: limits)
        var result: [HTTPRequestParser.Event] = []
        for chunk in chunks {
            parser.append(chunk)
            while true {
                let event = parser.next()
                if event == .needMoreData { break }
                result.append(event)
                if case .error = event { return result }
            }
        }
        return result
    }

    func requests(_ events: [HTTPRequestParser.Event]) -> [HTTPRequest] {
        events.compactMap { if case .request(let r) = $0 { return r } else { return nil } }
    }

    func firstError(_ text: String, limits: HTTPRequestLimits = HTTPRequestLimits()) -> HTTPRequestError? {
        for event in events([Array(text.utf8)], limits: limits) {
            if case .error(let e) = event { return e }
        }
        return nil
    }

    let pipelined = Array(("GET /v1/status HTTP/1.1\r\nHost: perch\r\n\r\n"
        + "POST /v1/models/kws%20v2/run?threshold=0.5&x HTTP/1.1\r\nhost: perch\r\ncontent-TYPE: application/json; charset=utf-8\r\nContent-Length: 11\r\n\r\n{\"a\":[1,2]}"
        + "\r\nGET /v1/events HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").utf8)

    func checkPipelined(_ found: [HTTPRequest], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(found.count, 3, file: file, line: line)
        guard found.count == 3 else { return }
        XCTAssertEqual(found[0].method, "GET", file: file, line: line)
        XCTAssertEqual(found[0].path, "/v1/status", file: file, line: line)
        XCTAssertNil(found[0].head.query, file: file, line: line)
        XCTAssertTrue(found[0].head.keepAlive, file: file, line: line)
        XCTAssertEqual(found[1].path, "/v1/models/kws v2/run", file: file, line: line)
        XCTAssertEqual(found[1].head.query, "threshold=0.5&x", file: file, line: line)
        XCTAssertEqual(found[1].head.headers["Content-Type"], "application/json; charset=utf-8", file: file, line: line)
        XCTAssertEqual(found[1].head.mediaType, "application/json", file: file, line: line)
        XCTAssertEqual(found[1].body, Array("{\"a\":[1,2]}".utf8), file: file, line: line)
        XCTAssertEqual(found[2].head.version, .http1_0, file: file, line: line)
        XCTAssertTrue(found[2].head.keepAlive, file: file, line: line)
    }

    func testPipelinedRequestsSplitAtEveryPosition() {
        checkPipelined(requests(events([pipelined])))
        for split in 0...pipelined.count {
            checkPipelined(requests(events([Array(pipelined[..<split]), Array(pipelined[split...])])))
        }
        // And one byte at a time.
        checkPipelined(requests(events(pipelined.map { [$0] })))
    }

    func testKeepAliveRulesForHTTP10And11() {
        func keepAlive(_ head: String) -> Bool? {
            requests(events([Array((head + "\r\n\r\n").utf8)])).first?.head.keepAlive
        }
        XCTAssertEqual(keepAlive("GET / HTTP/1.1\r\nHost: a"), true)
        XCTAssertEqual(keepAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close"), false)
        XCTAssertEqual(keepAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade, close"), false)
        XCTAssertEqual(keepAlive("GET / HTTP/1.0"), false)
        XCTAssertEqual(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive"), true)
    }

    func testMalformedRequestsAre400() {
        let cases = [
            "GET /\r\nHost: a\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",                                  // no Host
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET http://perch/ HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",                       // space before colon
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",            // obs-fold
            "GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n",                 // bare LF
            "GET / HTTP/1.1\r\nHost: a\r\nX: \u{1}\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTX/1.1\r\nHost: a\r\n\r\n",
        ]
        for text in cases {
            XCTAssertEqual(firstError(text)?.status, .badRequest, text)
        }
        XCTAssertEqual(firstError("GET / HTTP/1.1\r\nHost: a\r\n Content-Length: 5\r\n\r\n")?.status, .badRequest)
    }

    func testStatusSpecificRejections() {
        XCTAssertEqual(firstError("GET / HTTP/2.0\r\nHost: a\r\n\r\n")?.status.code, 505)
        XCTAssertEqual(firstError("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")?.status.code, 501)
        XCTAssertEqual(firstError("POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n")?.status.code, 417)
        let limits = HTTPRequestLimits(maxHeadBytes: 64, maxBodyBytes: 10)
        XCTAssertEqual(firstError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", limits: limits)?.status.code, 413)
        XCTAssertNil(firstError("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits))
        let bigHeader = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "y", count: 64) + "\r\n\r\n"
        XCTAssertEqual(firstError(bigHeader, limits: limits)?.status.code, 431)
    }

    func testHeaderLimitHoldsWhenTheTerminatorNeverArrives() {
        // A client trickling header bytes is cut off once the limit is passed, not at the end.
        let limits = HTTPRequestLimits(maxHeadBytes: 100, maxBodyBytes: 10)
        let chunks = [Array("GET / HTTP/1.1\r\n".utf8)] + Array(repeating: Array("X-Long: aaaaaaaaaa\r\n".utf8), count: 10)
        let found = events(chunks, limits: limits)
        XCTAssertEqual(found.count, 1)
        if case .error(let e) = found.first { XCTAssertEqual(e.status.code, 431) } else { XCTFail("no 431") }
    }

    func testParserStaysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        guard case .error = parser.next() else { return XCTFail("expected an error") }
        guard case .error = parser.next() else { return XCTFail("expected the error again") }
    }

    func testExpectContinueIsReportedBeforeTheBody() {
        var parser = HTTPRequestParser()
        parser.append(Array("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        XCTAssertEqual(parser.next(), .continueExpected)
        XCTAssertEqual(parser.next(), .needMoreData)
        XCTAssertTrue(parser.hasPartialRequest)
        parser.append(Array("abc".utf8))
        guard case .request(let request) = parser.next() else { return XCTFail("no request") }
        XCTAssertEqual(request.body, Array("abc".utf8))
        XCTAssertFalse(parser.hasPartialRequest)
    }

    func testLeadingEmptyLinesAreIgnored() {
        XCTAssertEqual(requests(events([Array("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)])).count, 1)
    }

    func testQueryAndPercentDecoding() {
        let pairs = HTTPQuery.parse("a=1&b=two+words%21&flag&e=%C3%A9")
        XCTAssertEqual(pairs?.map { $0.name }, ["a", "b", "flag", "e"])
        XCTAssertEqual(pairs?.map { $0.value }, ["1", "two words!", "", "é"])
        XCTAssertEqual(HTTPQuery.value("b", in: "a=1&b=2"), "2")
        XCTAssertNil(HTTPQuery.value("c", in: "a=1&b=2"))
        XCTAssertNil(HTTPQuery.parse("a=%2"))
        XCTAssertNil(HTTPQuery.parse("a=%g0"))
        XCTAssertNil(HTTPQuery.percentDecode("%ff"))  // not UTF-8
        XCTAssertEqual(HTTPQuery.percentDecode("a+b%2Fc"), "a+b/c")
    }
}
