/// Splits a head section (start line and header fields, without the blank line that ends
/// it) into the start line and validated header fields. Shared by requests and responses.
struct HTTPHeadSection {
    var startLine: ArraySlice<UInt8>
    var headers: HTTPHeaders

    /// `bytes` is everything before the terminating CRLF CRLF. Lines end in CRLF only;
    /// a bare CR or LF, obsolete line folding, whitespace before the colon, or a control
    /// character in a value is a malformed message (RFC 9112 §2.2, §5).
    static func parse(_ bytes: ArraySlice<UInt8>) -> Result<HTTPHeadSection, HTTPRequestError> {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let byte = bytes[i]
            if byte == 0x0D {
                guard i + 1 < bytes.endIndex, bytes[i + 1] == 0x0A else { return .failure(malformed("bare CR in the header section")) }
                lines.append(bytes[lineStart..<i])
                i += 2
                lineStart = i
            } else if byte == 0x0A {
                return .failure(malformed("bare LF in the header section"))
            } else {
                i += 1
            }
        }
        lines.append(bytes[lineStart..<bytes.endIndex])

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(malformed("a header line without ':'"))
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
                // Also catches obs-fold continuation lines, which start with whitespace.
                return .failure(malformed("an invalid header name"))
            }
            let value = trimmingOWS(line[(colon + 1)...])
            // Field values may hold visible characters, SP, HTAB and obs-text, no other controls.
            guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else {
                return .failure(malformed("a control character in a header value"))
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return .success(HTTPHeadSection(startLine: lines[0], headers: headers))
    }

    /// "HTTP/1.1" → (1, 1); nil when not of the form HTTP/DIGIT.DIGIT.
    static func parseVersion(_ bytes: ArraySlice<UInt8>) -> HTTPVersion? {
        let prefix: [UInt8] = Array("HTTP/".utf8)
        guard bytes.count == 8, bytes.prefix(5).elementsEqual(prefix) else { return nil }
        let major = bytes[bytes.startIndex + 5], dot = bytes[bytes.startIndex + 6], minor = bytes[bytes.startIndex + 7]
        guard isDigitByte(major), dot == UInt8(ascii: "."), isDigitByte(minor) else { return nil }
        return HTTPVersion(major: Int(major - UInt8(ascii: "0")), minor: Int(minor - UInt8(ascii: "0")))
    }

    /// A Content-Length: one or more equal, all-digit values (RFC 9112 §6.3). nil = absent.
    static func contentLength(_ headers: HTTPHeaders) -> Result<Int?, HTTPRequestError> {
        var length: Int? = nil
        for value in headers.values("Content-Length") {
            for item in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let digits = trimmingOWS(item)
                guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(isDigitByte),
                      let parsed = Int(String(decoding: digits, as: UTF8.self))
                else { return .failure(malformed("an invalid Content-Length")) }
                if let length, length != parsed { return .failure(malformed("conflicting Content-Length values")) }
                length = parsed
            }
        }
        return .success(length)
    }
}

/// Where the blank line ending a head section starts: the index of CR in CRLF CRLF,
/// searching `bytes[from...]`.
func findHeadEnd(_ bytes: [UInt8], from: Int) -> Int? {
    var i = from
    while i + 3 < bytes.count {
        if bytes[i + 3] != 0x0A { i += bytes[i + 3] == 0x0D ? 1 : 4; continue }
        if bytes[i] == 0x0D && bytes[i + 1] == 0x0A && bytes[i + 2] == 0x0D { return i }
        i += 1
    }
    return nil
}

func malformed(_ message: String) -> HTTPRequestError {
    HTTPRequestError(.badRequest, "malformed request: " + message)
}

@inline(__always)
func isDigitByte(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
