/// Why a JSON text was rejected, and where: `offset` is the byte offset into the input.
public struct JSONParseError: Error, Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// The input ended where `expected` was due.
        case unexpectedEnd(expected: String)
        /// A byte that cannot start or continue `expected`.
        case unexpectedByte(UInt8, expected: String)
        /// Input continues after the top-level value.
        case trailingContent
        /// Arrays and objects nested deeper than the limit.
        case tooDeep(limit: Int)
        /// The text is longer than the limit.
        case tooLarge(limit: Int)
        /// A string's bytes are not valid UTF-8.
        case invalidUTF8
        /// A `\u` escape that names a lone or mismatched UTF-16 surrogate.
        case invalidSurrogate
        /// A number the Double converter could not represent (overflow).
        case numberOutOfRange
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// "at byte 12: expected ',' or ']' but found 'x' (0x78)".
    public var description: String {
        let what: String
        switch kind {
        case .unexpectedEnd(let expected): what = "expected " + expected + " but the input ended"
        case .unexpectedByte(let byte, let expected):
            what = "expected " + expected + " but found " + describeByte(byte)
        case .trailingContent: what = "unexpected content after the JSON value"
        case .tooDeep(let limit): what = "nesting deeper than " + String(limit) + " levels"
        case .tooLarge(let limit): what = "JSON text larger than " + String(limit) + " bytes"
        case .invalidUTF8: what = "invalid UTF-8 in a string"
        case .invalidSurrogate: what = "unpaired UTF-16 surrogate in a \\u escape"
        case .numberOutOfRange: what = "number out of range"
        }
        return "at byte " + String(offset) + ": " + what
    }
}

private func describeByte(_ byte: UInt8) -> String {
    let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    let hex = "0x" + String(decoding: [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]], as: UTF8.self)
    if byte >= 0x20 && byte < 0x7f {
        return "'" + String(decoding: [byte], as: UTF8.self) + "' (" + hex + ")"
    }
    return hex
}
