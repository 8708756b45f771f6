/// Field access for the little-endian headers of RIFF and BMP files. Callers check that
/// the bytes are there first.
@inline(__always) func le16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }

@inline(__always) func le32(_ b: [UInt8], _ at: Int) -> Int { le16(b, at) | le16(b, at + 2) << 16 }

/// A signed 32-bit field (BMP width and height).
@inline(__always) func le32Signed(_ b: [UInt8], _ at: Int) -> Int { Int(Int32(truncatingIfNeeded: le32(b, at))) }

/// True when the four bytes at `at` spell `tag` ("RIFF", "fmt ").
func hasTag(_ b: [UInt8], _ at: Int, _ tag: StaticString) -> Bool {
    guard at >= 0, at + tag.utf8CodeUnitCount <= b.count else { return false }
    let text = tag.utf8Start
    for i in 0..<tag.utf8CodeUnitCount where b[at + i] != text[i] { return false }
    return true
}
