/// A response's status line and headers.
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: HTTPStatus
    public var headers: HTTPHeaders

    public init(version: HTTPVersion, status: HTTPStatus, headers: HTTPHeaders) {
        self.version = version
        self.status = status
        self.headers = headers
    }
}

/// Why a response could not be read.
public struct HTTPResponseParseError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// An incremental HTTP/1.1 response parser for the `perch` client: head first, then body
/// pieces as they arrive, so an NDJSON stream can be read line by line (see `LineSplitter`).
/// Bodies may be Content-Length, chunked, or close-delimited (`finishInput()` at EOF).
public struct HTTPResponseParser {
    public enum Event: Equatable, Sendable {
        case head(HTTPResponseHead)
        /// Body bytes as they arrived (chunk framing removed).
        case body([UInt8])
        /// The response is complete; the parser is ready for the next one on the connection.
        case end
        case needMoreData
        case error(HTTPResponseParseError)
    }

    enum State {
        case head
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case failed(HTTPResponseParseError)
    }

    public var maxHeadBytes: Int
    var state = State.head
    var buffer: [UInt8] = []
    var start = 0
    var inputFinished = false
    var nextIsResponseToHEAD = false

    public init(maxHeadBytes: Int = 64 * 1024) {
        self.maxHeadBytes = maxHeadBytes
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The peer closed the connection: a close-delimited body ends, anything else partial fails.
    public mutating func finishInput() { inputFinished = true }

    /// The next response answers a HEAD request: it has headers but never a body.
    public mutating func expectResponseToHEAD() { nextIsResponseToHEAD = true }

    var available: Int { buffer.count - start }

    public mutating func next() -> Event {
        switch state {
        case .failed(let error): return .error(error)
        case .head: return parseHead()
        case .fixedBody(let remaining):
            if remaining == 0 { return finishResponse() }
            guard available > 0 else { return inputFinished ? fail("connection closed inside the body") : .needMoreData }
            let n = min(remaining, available)
            state = .fixedBody(remaining: remaining - n)
            return .body(take(n))
        case .untilClose:
            if available > 0 { return .body(take(available)) }
            return inputFinished ? finishResponse() : .needMoreData
        case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
            return nextChunkEvent()
        }
    }

    mutating func take(_ n: Int) -> [UInt8] {
        let bytes = Array(buffer[start..<start + n])
        start += n
        return bytes
    }

    mutating func fail(_ message: String) -> Event {
        let error = HTTPResponseParseError(message)
        state = .failed(error)
        return .error(error)
    }

    mutating func finishResponse() -> Event {
        state = .head
        nextIsResponseToHEAD = false
        return .end
    }

    private mutating func parseHead() -> Event {
        guard let end = findHeadEnd(buffer, from: start) else {
            if available > maxHeadBytes { return fail("response head larger than " + String(maxHeadBytes) + " bytes") }
            if inputFinished { return available == 0 ? .needMoreData : fail("connection closed inside the response head") }
            return .needMoreData
        }
        let section: HTTPHeadSection
        switch HTTPHeadSection.parse(buffer[start..<end]) {
        case .success(let s): section = s
        case .failure(let e): return fail(e.message)
        }
        start = end + 4
        // status-line = HTTP-version SP status-code SP [ reason-phrase ]
        let line = section.startLine
        guard line.count >= 12, let version = HTTPHeadSection.parseVersion(line.prefix(8)),
              line[line.startIndex + 8] == 0x20, line[line.startIndex + 12 ..< line.endIndex].first.map({ $0 == 0x20 }) ?? true,
              line[line.startIndex + 9 ..< line.startIndex + 12].allSatisfy(isDigitByte),
              let code = Int(String(decoding: line[line.startIndex + 9 ..< line.startIndex + 12], as: UTF8.self))
        else { return fail("malformed status line") }
        let reason = String(decoding: line.dropFirst(13), as: UTF8.self)
        let head = HTTPResponseHead(version: version, status: HTTPStatus(code: code, reason: reason),
                                    headers: section.headers)
        // Body length rules of RFC 9112 §6.3, in order.
        if nextIsResponseToHEAD || code < 200 || code == 204 || code == 304 {
            state = .fixedBody(remaining: 0)
        } else if section.headers["Transfer-Encoding"] != nil {
            guard section.headers.containsToken("chunked", in: "Transfer-Encoding") else {
                return fail("unsupported Transfer-Encoding")
            }
            state = .chunkSize
        } else {
            switch HTTPHeadSection.contentLength(section.headers) {
            case .success(let length?): state = .fixedBody(remaining: length)
            case .success(nil): state = .untilClose
            case .failure: return fail("invalid Content-Length")
            }
        }
        return .head(head)
    }
}
