/// A parsed request line and header section.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request-target exactly as sent ("/v1/events?since=3").
    public var target: String
    /// The target's path, percent-decoded ("/v1/models/my model").
    public var path: String
    /// The raw query after '?', nil when there is none (decode with `HTTPQuery.parse`).
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, path: String, query: String?, version: HTTPVersion,
                headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
    }

    /// Persistent-connection rules of RFC 9112 §9.3: HTTP/1.1 stays open unless
    /// `Connection: close`; HTTP/1.0 closes unless `Connection: keep-alive`.
    public var keepAlive: Bool {
        if headers.containsToken("close", in: "Connection") { return false }
        if version == .http1_1 { return true }
        return headers.containsToken("keep-alive", in: "Connection")
    }

    /// The media type of Content-Type without parameters, lowercased ("application/json").
    public var mediaType: String? {
        guard let value = headers["Content-Type"] else { return nil }
        let type = value.utf8.prefix { $0 != UInt8(ascii: ";") }
        return String(decoding: trimmingOWS(type).map(lowercasedASCII), as: UTF8.self)
    }
}

/// A complete request: head and body (empty when there was none).
public struct HTTPRequest: Sendable, Equatable {
    public var head: HTTPRequestHead
    public var body: [UInt8]

    public init(head: HTTPRequestHead, body: [UInt8] = []) {
        self.head = head
        self.body = body
    }

    public var method: String { head.method }
    public var path: String { head.path }
}

/// A request the parser refused, with the status to answer it with. The connection cannot
/// be resynchronised after one of these; the server answers and closes.
public struct HTTPRequestError: Error, Sendable, Equatable {
    public var status: HTTPStatus
    public var message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}
