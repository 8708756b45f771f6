import PerchJSON

/// A complete response with a body of known length.
public struct HTTPResponse: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response: compact text plus a newline (friendlier to `curl` in a terminal).
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> HTTPResponse {
        var body = value.encoded()
        body.append(0x0A)
        return HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: body)
    }

    /// The error body every Perch endpoint uses: `{"error":{"code":N,"message":"…"}}`.
    public static func error(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        json(.object([("error", .object([("code", .integer(Int64(status.code))), ("message", .string(message))]))]),
             status: status)
    }

    /// 405 with the `Allow` header RFC 9110 §15.5.6 requires.
    public static func methodNotAllowed(allowed: [String], method: String) -> HTTPResponse {
        var response = error(.methodNotAllowed, "method " + method + " is not allowed here; allowed: "
                             + allowed.joined(separator: ", "))
        response.headers.add("Allow", allowed.joined(separator: ", "))
        return response
    }

    /// The bytes on the wire. Content-Length is always set (0 for an empty body), except
    /// for 1xx and 204; `keepAlive: false` adds `Connection: close`; `includeBody: false`
    /// answers a HEAD request (same headers, no body).
    public func encoded(keepAlive: Bool, includeBody: Bool = true) -> [UInt8] {
        var headers = headers
        let bodyAllowed = status.code >= 200 && status.code != 204 && status.code != 304
        if bodyAllowed { headers.set("Content-Length", String(body.count)) }
        if !keepAlive { headers.set("Connection", "close") }
        var out = encodeHead(status: status, headers: headers)
        if bodyAllowed && includeBody { out.append(contentsOf: body) }
        return out
    }
}

/// How a streamed response (the NDJSON event stream) is delimited.
public enum HTTPStreamFraming: Sendable, Equatable {
    /// `Transfer-Encoding: chunked` (HTTP/1.1): the end is a zero-length chunk; the
    /// connection may stay open afterwards.
    case chunked
    /// No length: the body ends when the server closes (HTTP/1.0 clients).
    case closeDelimited

    /// Chunked for HTTP/1.1 clients, close-delimited for 1.0 ones (they cannot read chunks).
    public static func forVersion(_ version: HTTPVersion) -> HTTPStreamFraming {
        version == .http1_1 ? .chunked : .closeDelimited
    }

    /// The status line and headers that start a streamed response.
    public func encodeHead(status: HTTPStatus, headers: HTTPHeaders) -> [UInt8] {
        var headers = headers
        headers.remove("Content-Length")
        switch self {
        case .chunked: headers.set("Transfer-Encoding", "chunked")
        case .closeDelimited: headers.set("Connection", "close")
        }
        return PerchHTTP.encodeHead(status: status, headers: headers)
    }

    /// One piece of the body as framed on the wire (empty input gives nothing: an empty
    /// chunk would end a chunked body).
    public func encodeBodyPart(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        switch self {
        case .closeDelimited: return bytes
        case .chunked:
            var out = Array(String(bytes.count, radix: 16).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
            out.append(contentsOf: bytes)
            out.append(contentsOf: [0x0D, 0x0A])
            return out
        }
    }

    /// What ends the body: the last chunk, or nothing (the close ends it).
    public var endOfBody: [UInt8] {
        self == .chunked ? Array("0\r\n\r\n".utf8) : []
    }
}

func encodeHead(status: HTTPStatus, headers: HTTPHeaders) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    out.append(contentsOf: "HTTP/1.1 ".utf8)
    out.append(contentsOf: String(status.code).utf8)
    out.append(0x20)
    out.append(contentsOf: status.reason.utf8)
    out.append(contentsOf: [0x0D, 0x0A])
    for field in headers.fields {
        out.append(contentsOf: field.name.utf8)
        out.append(contentsOf: ": ".utf8)
        // A CR or LF in a value would split the header: handlers must not be able to do that.
        out.append(contentsOf: field.value.utf8.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 })
        out.append(contentsOf: [0x0D, 0x0A])
    }
    out.append(contentsOf: [0x0D, 0x0A])
    return out
}
