extension HTTPResponseParser {
    /// chunked-body = *chunk last-chunk trailer-section CRLF (RFC 9112 §7.1).
    mutating func nextChunkEvent() -> Event {
        while true {
            switch state {
            case .chunkSize:
                guard let lineEnd = findCRLF() else { return waitForMore(limit: 1024, "chunk size line too long") }
                let line = buffer[start..<lineEnd]
                start = lineEnd + 2
                // Chunk extensions after ';' are allowed and ignored.
                let digits = trimmingOWS(line.prefix { $0 != UInt8(ascii: ";") })
                guard !digits.isEmpty, digits.count <= 15,
                      let size = Int(String(decoding: digits, as: UTF8.self), radix: 16)
                else { return fail("malformed chunk size") }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                guard available > 0 else { return waitForMore(limit: Int.max, "") }
                let n = min(remaining, available)
                state = n == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - n)
                return .body(take(n))
            case .chunkDataEnd:
                guard available >= 2 else { return waitForMore(limit: Int.max, "") }
                guard buffer[start] == 0x0D && buffer[start + 1] == 0x0A else { return fail("chunk data not followed by CRLF") }
                start += 2
                state = .chunkSize
            case .trailers:
                // Trailer fields are skipped; the empty line ends the response.
                guard let lineEnd = findCRLF() else { return waitForMore(limit: maxHeadBytes, "trailer section too long") }
                let empty = lineEnd == start
                start = lineEnd + 2
                if empty { return finishResponse() }
            default:
                return next()
            }
        }
    }

    private func findCRLF() -> Int? {
        var i = start
        while i + 1 < buffer.count {
            if buffer[i] == 0x0D && buffer[i + 1] == 0x0A { return i }
            i += 1
        }
        return nil
    }

    private mutating func waitForMore(limit: Int, _ tooLong: String) -> Event {
        if available > limit { return fail(tooLong) }
        return inputFinished ? fail("connection closed inside a chunked body") : .needMoreData
    }
}
