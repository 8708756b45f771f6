/// Header fields in arrival order. Names compare case-insensitively (RFC 9110 §5.1);
/// values keep their bytes, with surrounding whitespace removed.
public struct HTTPHeaders: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        for (name, value) in fields { add(name, value) }
    }

    public var count: Int { fields.count }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` by one with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { equalsIgnoringASCIICase($0.name, name) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        for field in fields where equalsIgnoringASCIICase(field.name, name) { return field.value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        fields.filter { equalsIgnoringASCIICase($0.name, name) }.map { $0.value }
    }

    /// Whether a comma-separated list header (Connection, Transfer-Encoding) holds `token`.
    public func containsToken(_ token: String, in name: String) -> Bool {
        for value in values(name) {
            for item in value.utf8.split(separator: UInt8(ascii: ",")) {
                if equalsIgnoringASCIICase(trimmingOWS(item), token) { return true }
            }
        }
        return false
    }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count
            && zip(a.fields, b.fields).allSatisfy { equalsIgnoringASCIICase($0.name, $1.name) && $0.value == $1.value }
    }
}

/// HTTP/1.0 or HTTP/1.1 (the only versions this server speaks).
public struct HTTPVersion: Sendable, Equatable {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static let http1_0 = HTTPVersion(major: 1, minor: 0)
    public static let http1_1 = HTTPVersion(major: 1, minor: 1)

    public var description: String { "HTTP/" + String(major) + "." + String(minor) }
}

func equalsIgnoringASCIICase<A: Sequence<UInt8>>(_ a: A, _ b: String) -> Bool {
    var bIterator = b.utf8.makeIterator()
    for x in a {
        guard let y = bIterator.next(), lowercasedASCII(x) == lowercasedASCII(y) else { return false }
    }
    return bIterator.next() == nil
}

func equalsIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
    equalsIgnoringASCIICase(a.utf8, b)
}

@inline(__always)
func lowercasedASCII(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}

/// Drops optional whitespace (SP / HTAB) at both ends.
func trimmingOWS<C: BidirectionalCollection<UInt8>>(_ bytes: C) -> C.SubSequence {
    var slice = bytes[...]
    while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
    while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
    return slice
}

/// tchar of RFC 9110 §5.6.2: the characters of methods and header names.
func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
         UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}
