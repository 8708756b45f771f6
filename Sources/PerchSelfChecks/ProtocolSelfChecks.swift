import PerchHTTP
import PerchJSON
import PerchSystem

/// The socket API's protocol code on the target: JSON, HTTP requests and responses, and a
/// real server round trip (ServerSelfChecks). Proves the modules build and behave as
/// Embedded Swift, where float printing, strings and integer parsing differ in runtime.
enum ProtocolSelfChecks {
    static func run(_ r: CheckRunner) {
        json(r)
        requests(r)
        responses(r)
        ServerSelfChecks.run(r)
    }

    static var parser: JSONParser { JSONParser(parseDouble: parseDoubleNearest) }

    static func json(_ r: CheckRunner) {
        let text = #"{"version":"0.1","uptime":9223372036854775807,"score":0.93,"tiny":5e-324,"#
            + #""labels":["yes","no"],"ok":true,"none":null,"esc":"a\"b\\c\n\u00e9\u00C9\ud83d\ude00\t\u0001","#
            + #""neg":-12,"low":-0.5e-3}"#
        guard let value = try? parser.parse(text) else { return r.check("json: parse document", false) }
        r.check("json: key order kept", value.objectValue?.keys
                    == ["version", "uptime", "score", "tiny", "labels", "ok", "none", "esc", "neg", "low"])
        r.check("json: negative numbers", value["neg"] == .integer(-12) && value["low"] == .double(-0.0005))
        r.check("json: Int64.max exact", value["uptime"] == .integer(Int64.max))
        r.check("json: double", value["score"] == .double(0.93))
        r.check("json: subnormal", value["tiny"]?.doubleValue?.bitPattern == 1)
        r.check("json: escapes and surrogate pair", value["esc"] == .string("a\"b\\c\néÉ😀\t\u{1}"))
        let encoded = value.encoded()
        r.check("json: round trip", (try? parser.parse(encoded)) == value, String(decoding: encoded, as: UTF8.self))
        for d in [0.1, 1.0 / 3.0, 1e16, -2.5e-7, 1.7976931348623157e308] {
            let back = try? parser.parse(JSONValue.double(d).encoded())
            r.check("json: double " + String(d) + " round-trips", back?.doubleValue?.bitPattern == d.bitPattern)
        }
        let built = JSONValue.object([("a", .integer(1)), ("b", ["x", nil])])
        r.check("json: builder", built.encodedString() == #"{"a":1,"b":["x",null]}"#, built.encodedString())
        var failure: JSONParseError? = nil
        do throws(JSONParseError) { _ = try parser.parse("[1 x]") } catch { failure = error }
        r.check("json: error offset and expectation",
                failure?.description == "at byte 3: expected ',' or ']' but found 'x' (0x78)", failure?.description ?? "accepted")
        do throws(JSONParseError) { _ = try parser.parse(String(repeating: "[", count: 10_000)) } catch { failure = error }
        r.check("json: depth limit", failure?.kind == .tooDeep(limit: 64))
    }

    static func requests(_ r: CheckRunner) {
        let wire = Array(("GET /v1/status?verbose=1 HTTP/1.1\r\nHost: perch\r\n\r\n"
            + "POST /v1/x%20y HTTP/1.1\r\nHost: perch\r\ncontent-length: 4\r\nConnection: close\r\n\r\nbody").utf8)
        var allSplitsAgree = true
        for split in 0...wire.count {
            var p = HTTPRequestParser()
            var found: [HTTPRequest] = []
            for part in [Array(wire[..<split]), Array(wire[split...])] {
                p.append(part)
                while case .request(let request) = p.next() { found.append(request) }
            }
            allSplitsAgree = allSplitsAgree && found.count == 2 && found[0].head.query == "verbose=1"
                && found[1].path == "/v1/x y" && found[1].body == Array("body".utf8)
                && found[0].head.keepAlive && !found[1].head.keepAlive
        }
        r.check("http: pipelined requests split at every byte", allSplitsAgree)
        var p = HTTPRequestParser(limits: HTTPRequestLimits(maxHeadBytes: 32, maxBodyBytes: 8))
        p.append(Array("GET / HTTP/1.1\r\nHost: a\r\nX: 0123456789abcdef\r\n\r\n".utf8))
        if case .error(let e) = p.next() { r.expectEqual("http: header limit is 431", e.status.code, 431) } else { r.check("http: header limit", false) }
        // Every tchar in a header name is accepted; a '(' in the method is not.
        var tokens = HTTPRequestParser()
        tokens.append(Array("GET / HTTP/1.1\r\nHost: a\r\nX-!#$%&'*+.^_`|~09az: v\r\n\r\nG(T / HTTP/1.1\r\n\r\n".utf8))
        if case .request(let request) = tokens.next() {
            r.check("http: token characters in header names", request.head.headers["x-!#$%&'*+.^_`|~09AZ"] == "v")
        } else { r.check("http: token characters in header names", false) }
        if case .error(let e) = tokens.next() { r.expectEqual("http: '(' in a method is 400", e.status.code, 400) } else { r.check("http: '(' in a method", false) }
        var router = HTTPRouter<Int>()
        router.add("GET", "/v1/models/{name}", 1)
        if case .matched(1, let parameters) = router.route(method: "GET", path: "/v1/models/kws") {
            r.check("http: router parameter", parameters["name"] == "kws")
        } else { r.check("http: router match", false) }
        let notAllowed = router.route(method: "PUT", path: "/v1/models/kws").errorResponse(method: "PUT", path: "")
        r.check("http: 405 with Allow", notAllowed?.status.code == 405 && notAllowed?.headers["Allow"] == "GET")
        r.check("http: query decoding", HTTPQuery.value("q", in: "q=a+b%21") == "a b!")
    }

    static func responses(_ r: CheckRunner) {
        let response = HTTPResponse.error(.notFound, "no such model")
        var p = HTTPResponseParser()
        p.append(response.encoded(keepAlive: true))
        var head: HTTPResponseHead? = nil
        var body: [UInt8] = []
        loop: while true {
            switch p.next() {
            case .head(let h): head = h
            case .body(let b): body += b
            default: break loop
            }
        }
        r.check("http: response round trip", head?.status.code == 404 && head?.headers["Content-Length"] == String(body.count))
        r.check("http: error body", (try? parser.parse(Array(body.dropLast())))?["error"]?["code"] == .integer(404))
        // A chunked NDJSON stream read back line by line, one byte at a time.
        let framing = HTTPStreamFraming.chunked
        var wire = framing.encodeHead(status: .ok, headers: HTTPHeaders())
        wire += framing.encodeBodyPart(Array("{\"n\":1}\n{\"n\"".utf8)) + framing.encodeBodyPart(Array(":2}\n".utf8)) + framing.endOfBody
        var stream = HTTPResponseParser()
        var splitter = LineSplitter()
        var lines: [[UInt8]] = []
        var ended = false
        for byte in wire {
            stream.append([byte])
            inner: while true {
                switch stream.next() {
                case .body(let b): lines += (try? splitter.append(b)) ?? []
                case .end: ended = true
                case .needMoreData: break inner
                case .head: continue
                case .error: break inner
                }
            }
        }
        r.check("http: chunked NDJSON lines", ended && lines == [Array("{\"n\":1}".utf8), Array("{\"n\":2}".utf8)])
    }
}
