import PerchSystem

/// Value syntax shared by every key: each function reads a value exactly as written in the
/// file (quotes included) and returns nil when it is not of the type.
enum ConfigValues {
    /// `"quoted \"text\""` with escapes \" \\ \n \t, or bare text as is.
    static func string(_ raw: String) -> String? {
        guard raw.hasPrefix("\"") else { return raw }
        var result = ""
        var escaped = false
        var closed = false
        for c in raw.dropFirst() {
            if closed { return nil }  // text after the closing quote
            if escaped {
                switch c {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                closed = true
            } else {
                result.append(c)
            }
        }
        return closed ? result : nil
    }

    static func integer(_ raw: String) -> Int? { Int(raw) }

    /// A finite decimal number in the C locale: `0.75`, `-2`, `1e-3`.
    static func decimal(_ raw: String) -> Double? {
        guard let first = raw.utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")),
              let value = parseDouble(raw), value.isFinite,
              !raw.utf8.contains(UInt8(ascii: "x")) && !raw.utf8.contains(UInt8(ascii: "X"))
        else { return nil }
        return value
    }

    static func boolean(_ raw: String) -> Bool? {
        switch raw {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// `250ms`, `2s`, `1.5s`, `1m`, `1h`, or `0`; in whole milliseconds.
    static func durationMilliseconds(_ raw: String) -> Int64? {
        if raw == "0" { return 0 }
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where raw.hasSuffix(unit.suffix) {
            let number = String(raw.dropLast(unit.suffix.count))
            // "ms" is tried before "s", so "250ms" never reads as "250m" seconds.
            guard let value = decimal(number), value >= 0 else { continue }
            let milliseconds = (value * unit.milliseconds).rounded()
            guard milliseconds <= Double(Int64.max / 2) else { return nil }
            return Int64(milliseconds)
        }
        return nil
    }

    /// A file mode in octal with a leading zero: `0660`, `0o660`.
    static func octalMode(_ raw: String) -> UInt32? {
        var digits = Substring(raw)
        if digits.hasPrefix("0o") { digits = digits.dropFirst(2) } else if digits.hasPrefix("0") && digits.count > 1 {
            digits = digits.dropFirst()
        } else {
            return nil
        }
        guard !digits.isEmpty, let value = UInt32(digits, radix: 8), value <= 0o7777 else { return nil }
        return value
    }

    /// `a, b, "c d"` or `[a, b, "c d"]`; items are strings. nil when an item is empty or
    /// a quote is malformed.
    static func list(_ raw: String) -> [String]? {
        var body = Substring(raw)
        if body.hasPrefix("[") {
            guard body.hasSuffix("]") else { return nil }
            body = body.dropFirst().dropLast()
        }
        if body.allSatisfy({ $0 == " " || $0 == "\t" }) { return [] }
        var items: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        func finishItem() -> Bool {
            let trimmed = trimmedBlanks(current)
            guard !trimmed.isEmpty, let item = string(trimmed) else { return false }
            items.append(item)
            current = ""
            return true
        }
        for c in body {
            if inQuotes {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuotes = false }
                current.append(c)
            } else if c == "," {
                guard finishItem() else { return nil }
            } else {
                if c == "\"" { inQuotes = true }
                current.append(c)
            }
        }
        guard !inQuotes, finishItem() else { return nil }
        return items
    }
}

func trimmedBlanks(_ text: String) -> String {
    let bytes = Array(text.utf8)
    var start = 0, end = bytes.count
    while start < end, isBlank(bytes[start]) { start += 1 }
    while end > start, isBlank(bytes[end - 1]) { end -= 1 }
    return String(decoding: bytes[start..<end], as: UTF8.self)
}
