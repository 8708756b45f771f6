/// Limits that keep a hostile or broken JSON text from using unbounded memory or stack.
public struct JSONLimits: Sendable {
    /// Deepest nesting of arrays and objects (the parser recurses once per level).
    public var maxDepth: Int
    /// Longest accepted text in bytes.
    public var maxBytes: Int

    public init(maxDepth: Int = 64, maxBytes: Int = 1 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// A strict RFC 8259 parser: UTF-8 input without BOM, no comments, no trailing commas, no
/// leading zeros, no lone surrogates, any whitespace the RFC allows and nothing else.
///
/// Decimal-to-Double conversion is injected (`parseDouble`): correct rounding needs either
/// the C library's `strtod` or a big-number fallback, and Embedded Swift has no
/// `Double(String)`. The parser checks the number grammar itself and hands the converter
/// only well-formed text such as "-12.5e3"; the daemon passes `PerchSystem.parseDoubleNearest`
/// (`strtod_l` in the C locale, underflow to subnormal/zero, overflow to infinity, which
/// the parser then rejects). Integers are parsed here, exactly, without it.
public struct JSONParser {
    public var limits: JSONLimits
    public var parseDouble: (String) -> Double?

    public init(limits: JSONLimits = JSONLimits(), parseDouble: @escaping (String) -> Double?) {
        self.limits = limits
        self.parseDouble = parseDouble
    }

    public func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) -> JSONValue in
            try parse(buffer)
        }
    }

    public func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    public func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSONValue {
        if buffer.count > limits.maxBytes {
            throw JSONParseError(.tooLarge(limit: limits.maxBytes), at: limits.maxBytes)
        }
        var reader = JSONReader(bytes: buffer, maxDepth: limits.maxDepth, parseDouble: parseDouble)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        if reader.index < buffer.count { throw JSONParseError(.trailingContent, at: reader.index) }
        return value
    }
}

/// The cursor over one text; recursive descent, one level of recursion per nesting level.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    let parseDouble: (String) -> Double?
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, parseDouble: @escaping (String) -> Double?) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.parseDouble = parseDouble
    }

    var atEnd: Bool { index >= bytes.count }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    func failure(expected: String) -> JSONParseError {
        if atEnd { return JSONParseError(.unexpectedEnd(expected: expected), at: index) }
        return JSONParseError(.unexpectedByte(bytes[index], expected: expected), at: index)
    }

    mutating func readValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard !atEnd else { throw failure(expected: "a JSON value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw failure(expected: "a JSON value")
        }
    }

    mutating func readLiteral(_ word: String) throws(JSONParseError) {
        for byte in word.utf8 {
            guard !atEnd, bytes[index] == byte else { throw failure(expected: "'" + word + "'") }
            index += 1
        }
    }

    mutating func readArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maxDepth { throw JSONParseError(.tooDeep(limit: maxDepth), at: index) }
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard !atEnd else { throw failure(expected: "',' or ']'") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw failure(expected: "',' or ']'")
            }
        }
    }

    mutating func readObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > maxDepth { throw JSONParseError(.tooDeep(limit: maxDepth), at: index) }
        index += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if !atEnd && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject(members: members))
        }
        while true {
            skipWhitespace()
            guard !atEnd, bytes[index] == UInt8(ascii: "\"") else { throw failure(expected: "a string key") }
            let key = try readString()
            skipWhitespace()
            guard !atEnd, bytes[index] == UInt8(ascii: ":") else { throw failure(expected: "':'") }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key, try readValue(depth: depth)))
            skipWhitespace()
            guard !atEnd else { throw failure(expected: "',' or '}'") }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(JSONObject(members: members))
            default: throw failure(expected: "',' or '}'")
            }
        }
    }
}
