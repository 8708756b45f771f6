/// Compact JSON text (no insignificant whitespace). Strings escape `"`, `\` and every
/// control character; doubles use Swift's shortest round-trip form; NaN and infinities,
/// which JSON cannot express, are written as `null` (as JavaScript's JSON.stringify does).
extension JSONValue {
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        appendEncoded(to: &out)
        return out
    }

    public func encodedString() -> String { String(decoding: encoded(), as: UTF8.self) }

    public func appendEncoded(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): appendDouble(d, to: &out)
        case .string(let s): appendJSONString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.appendEncoded(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.appendEncoded(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

private func appendDouble(_ d: Double, to out: inout [UInt8]) {
    guard d.isFinite else {
        out.append(contentsOf: "null".utf8)
        return
    }
    // Swift prints the shortest digits that read back to the same Double ("0.1", "1e-07",
    // "1e+16", "5e-324"), all valid JSON numbers.
    out.append(contentsOf: d.description.utf8)
}

/// Appends `s` as a quoted JSON string.
public func appendJSONString(_ s: String, to out: inout [UInt8]) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    out.append(UInt8(ascii: "\""))
    for byte in s.utf8 {
        // Plain comparisons, not a switch: the Embedded Swift 6.3 optimizer picked the wrong
        // case bodies for a switch mixing `UInt8(ascii:)` patterns with integer literals here
        // ('"' came out as \t); the self-check "json: round trip" guards this.
        if byte >= 0x20 && byte != 0x22 && byte != 0x5C && byte != 0x7F {
            out.append(byte)
        } else if byte == 0x22 || byte == 0x5C {
            out.append(0x5C)
            out.append(byte)
        } else if byte == 0x0A {
            out.append(0x5C)
            out.append(0x6E)  // n
        } else if byte == 0x0D {
            out.append(0x5C)
            out.append(0x72)  // r
        } else if byte == 0x09 {
            out.append(0x5C)
            out.append(0x74)  // t
        } else {
            out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])  // \u00XX
        }
    }
    out.append(UInt8(ascii: "\""))
}
