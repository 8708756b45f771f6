/// Query strings and percent-encoding (RFC 3986 §2.1, and the form encoding's '+').
public enum HTTPQuery {
    /// "a=1&b=two%20words&flag" → [("a", "1"), ("b", "two words"), ("flag", "")], in order.
    /// nil when an escape is broken or decodes to invalid UTF-8.
    public static func parse(_ query: String) -> [(name: String, value: String)]? {
        var result: [(name: String, value: String)] = []
        for pair in query.utf8.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = pair[pair.startIndex..<(equals ?? pair.endIndex)]
            let rawValue = equals.map { pair[pair.index(after: $0)...] } ?? pair[pair.endIndex...]
            guard let name = percentDecode(rawName, plusAsSpace: true),
                  let value = percentDecode(rawValue, plusAsSpace: true) else { return nil }
            result.append((name: name, value: value))
        }
        return result
    }

    /// The first value of `name` in `query`.
    public static func value(_ name: String, in query: String?) -> String? {
        guard let query, let pairs = parse(query) else { return nil }
        return pairs.first { $0.name == name }?.value
    }

    /// Decodes %XX escapes (and '+' as space when `plusAsSpace`); nil on a broken escape
    /// or when the result is not valid UTF-8.
    public static func percentDecode<C: Collection<UInt8>>(_ bytes: C, plusAsSpace: Bool) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i != bytes.endIndex {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%") {
                let h = bytes.index(after: i)
                guard h != bytes.endIndex else { return nil }
                let l = bytes.index(after: h)
                guard l != bytes.endIndex, let high = hexValue(bytes[h]), let low = hexValue(bytes[l]) else { return nil }
                out.append(high << 4 | low)
                i = bytes.index(after: l)
            } else {
                out.append(plusAsSpace && byte == UInt8(ascii: "+") ? 0x20 : byte)
                i = bytes.index(after: i)
            }
        }
        let text = String(decoding: out, as: UTF8.self)
        // String(decoding:) repairs bad UTF-8; a repaired string has different bytes.
        return text.utf8.elementsEqual(out) ? text : nil
    }

    public static func percentDecode(_ text: String, plusAsSpace: Bool = false) -> String? {
        percentDecode(text.utf8, plusAsSpace: plusAsSpace)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
