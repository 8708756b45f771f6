extension JSONReader {
    /// number = [ "-" ] int [ frac ] [ exp ]; int = "0" / digit1-9 *DIGIT (RFC 8259 §6).
    mutating func readNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard !atEnd, isDigit(bytes[index]) else { throw failure(expected: "a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            // A leading zero stands alone: "01" is not a number.
            if !atEnd && isDigit(bytes[index]) { throw failure(expected: "'.', 'e' or the end of the number") }
        } else {
            while !atEnd && isDigit(bytes[index]) { index += 1 }
        }
        var integral = true
        if !atEnd && bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard !atEnd, isDigit(bytes[index]) else { throw failure(expected: "a digit after '.'") }
            while !atEnd && isDigit(bytes[index]) { index += 1 }
        }
        if !atEnd && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            integral = false
            index += 1
            if !atEnd && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard !atEnd, isDigit(bytes[index]) else { throw failure(expected: "a digit in the exponent") }
            while !atEnd && isDigit(bytes[index]) { index += 1 }
        }
        let digitsStart = negative ? start + 1 : start
        if integral {
            if negative && index - digitsStart == 1 && bytes[digitsStart] == UInt8(ascii: "0") {
                return .double(-0.0)  // keeps the sign through a round trip
            }
            if let exact = exactInteger(digitsStart..<index, negative: negative) { return .integer(exact) }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = parseDouble(text), value.isFinite else {
            throw JSONParseError(.numberOutOfRange, at: start)
        }
        return .double(value)
    }

    /// The digits as an Int64, or nil when they do not fit.
    private func exactInteger(_ digits: Range<Int>, negative: Bool) -> Int64? {
        // Accumulate negatively: Int64.min has no positive counterpart.
        var value: Int64 = 0
        for i in digits {
            let digit = Int64(bytes[i] &- UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.subtractingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
        }
        if negative { return value }
        return value == Int64.min ? nil : -value
    }
}

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
