/// Size limits of one request. Exceeding them gives 431 and 413 (docs/api-limits.md).
public struct HTTPRequestLimits: Sendable {
    /// Request line plus header fields, in bytes, up to and including the blank line.
    public var maxHeadBytes: Int
    /// Content-Length above this is refused before any body byte is read.
    public var maxBodyBytes: Int

    public init(maxHeadBytes: Int = 8 * 1024, maxBodyBytes: Int = 1024 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// An incremental HTTP/1.1 request parser: a state machine fed byte chunks split anywhere.
/// Bytes after one request stay buffered for the next (pipelining). After an error it
/// stays failed: the connection must be answered and closed.
public struct HTTPRequestParser {
    public enum Event: Equatable, Sendable {
        /// A complete request.
        case request(HTTPRequest)
        /// The client sent `Expect: 100-continue` and waits for "100 Continue" before its body.
        case continueExpected
        /// Nothing complete yet.
        case needMoreData
        /// The input is not an acceptable request; answer with `error.status` and close.
        case error(HTTPRequestError)
    }

    private enum State {
        case head
        case body(HTTPRequestHead, length: Int)
        case failed(HTTPRequestError)
    }

    public let limits: HTTPRequestLimits
    private var state = State.head
    private var buffer: [UInt8] = []
    /// Consumed bytes at the front of `buffer` (dropped in batches, not per request).
    private var start = 0
    /// How far the search for the end of the head has got, so each byte is scanned once.
    private var scanned = 0

    public init(limits: HTTPRequestLimits = HTTPRequestLimits()) {
        self.limits = limits
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Bytes received but not yet returned as part of a request.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether part of a request has arrived (a read timeout then means a stalled client).
    public var hasPartialRequest: Bool {
        if case .body = state { return true }
        return bufferedByteCount > 0
    }

    public mutating func next() -> Event {
        switch state {
        case .failed(let error):
            return .error(error)
        case .body(let head, let length):
            guard bufferedByteCount >= length else { return .needMoreData }
            let body = Array(buffer[start..<start + length])
            start += length
            scanned = start
            state = .head
            return .request(HTTPRequest(head: head, body: body))
        case .head:
            return parseHead()
        }
    }

    private mutating func parseHead() -> Event {
        // RFC 9112 §2.2: ignore empty lines before a request line.
        while bufferedByteCount >= 2 && buffer[start] == 0x0D && buffer[start + 1] == 0x0A {
            start += 2
            scanned = start
        }
        guard let end = findHeadEnd(buffer, from: max(start, scanned - 3)) else {
            scanned = buffer.count
            if bufferedByteCount > limits.maxHeadBytes { return fail(tooLarge()) }
            return .needMoreData
        }
        if end + 4 - start > limits.maxHeadBytes { return fail(tooLarge()) }
        let section = buffer[start..<end]
        start = end + 4
        scanned = start
        let head: HTTPRequestHead
        switch parseRequestHead(section) {
        case .success(let parsed): head = parsed
        case .failure(let error): return fail(error)
        }
        // Transfer codings are not implemented: refuse rather than misread the body.
        if head.headers["Transfer-Encoding"] != nil {
            return fail(HTTPRequestError(.notImplemented,
                                         "Transfer-Encoding request bodies are not supported; send Content-Length"))
        }
        let length: Int
        switch HTTPHeadSection.contentLength(head.headers) {
        case .success(let value): length = value ?? 0
        case .failure(let error): return fail(error)
        }
        if length > limits.maxBodyBytes {
            return fail(HTTPRequestError(.contentTooLarge, "request body of " + String(length)
                                         + " bytes is larger than the limit of " + String(limits.maxBodyBytes)))
        }
        if let expect = head.headers["Expect"] {
            guard equalsIgnoringASCIICase(expect, "100-continue") else {
                return fail(HTTPRequestError(.expectationFailed, "only 'Expect: 100-continue' is supported"))
            }
            if length > bufferedByteCount && head.version == .http1_1 {
                state = .body(head, length: length)
                return .continueExpected
            }
        }
        state = .body(head, length: length)
        return next()
    }

    private func tooLarge() -> HTTPRequestError {
        HTTPRequestError(.headerFieldsTooLarge, "request line and headers are larger than "
                         + String(limits.maxHeadBytes) + " bytes")
    }

    private mutating func fail(_ error: HTTPRequestError) -> Event {
        state = .failed(error)
        buffer = []
        start = 0
        scanned = 0
        return .error(error)
    }

    /// Drops consumed bytes once they are at least half the buffer (amortised O(1)).
    private mutating func compact() {
        guard start > 0, start * 2 >= buffer.count else { return }
        buffer.removeSubrange(0..<start)
        scanned -= start
        start = 0
    }
}

/// method SP request-target SP HTTP-version (RFC 9112 §3), then the header fields.
func parseRequestHead(_ bytes: ArraySlice<UInt8>) -> Result<HTTPRequestHead, HTTPRequestError> {
    let section: HTTPHeadSection
    switch HTTPHeadSection.parse(bytes) {
    case .success(let s): section = s
    case .failure(let e): return .failure(e)
    }
    let parts = section.startLine.split(separator: 0x20, omittingEmptySubsequences: false)
    guard parts.count == 3 else { return .failure(malformed("the request line is not 'METHOD TARGET VERSION'")) }
    let method = parts[0], target = parts[1]
    guard !method.isEmpty, method.allSatisfy(isTokenByte) else { return .failure(malformed("an invalid method")) }
    guard let version = HTTPHeadSection.parseVersion(parts[2]) else {
        return .failure(malformed("an invalid HTTP version"))
    }
    guard version == .http1_1 || version == .http1_0 else {
        return .failure(HTTPRequestError(.httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported"))
    }
    // Origin-form only ("/path?query"): this server is nobody's proxy. No controls or spaces.
    guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
        return .failure(malformed("the request target must be an absolute path"))
    }
    let questionMark = target.firstIndex(of: UInt8(ascii: "?"))
    let rawPath = target[target.startIndex..<(questionMark ?? target.endIndex)]
    guard let path = HTTPQuery.percentDecode(rawPath, plusAsSpace: false) else {
        return .failure(malformed("invalid percent-encoding in the path"))
    }
    let query = questionMark.map { String(decoding: target[($0 + 1)...], as: UTF8.self) }
    // RFC 9112 §3.2: a 1.1 request without exactly one Host is a 400.
    if version == .http1_1 && section.headers.values("Host").count != 1 {
        return .failure(malformed("HTTP/1.1 requests need one Host header"))
    }
    return .success(HTTPRequestHead(method: String(decoding: method, as: UTF8.self),
                                    target: String(decoding: target, as: UTF8.self), path: path, query: query,
                                    version: version, headers: section.headers))
}
