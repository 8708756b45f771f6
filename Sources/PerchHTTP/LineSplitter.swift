/// Cuts a byte stream into '\n'-terminated lines (NDJSON), whatever the chunk boundaries.
/// A trailing '\r' is dropped; a line longer than `maxLineBytes` is an error so a broken
/// peer cannot grow the buffer without bound.
public struct LineSplitter {
    public let maxLineBytes: Int
    private var pending: [UInt8] = []

    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    public struct LineTooLong: Error, Equatable {}

    /// The complete lines in `bytes` (with earlier leftovers), without their terminators.
    public mutating func append(_ bytes: [UInt8]) throws(LineTooLong) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var lineStart = 0
        pending.append(contentsOf: bytes)
        for i in pending.indices where pending[i] == 0x0A {
            var end = i
            if end > lineStart && pending[end - 1] == 0x0D { end -= 1 }
            lines.append(Array(pending[lineStart..<end]))
            lineStart = i + 1
        }
        pending.removeSubrange(0..<lineStart)
        if pending.count > maxLineBytes { throw LineTooLong() }
        return lines
    }

    /// Bytes after the last newline (an unterminated last line at end of stream).
    public var remainder: [UInt8] { pending }
}
