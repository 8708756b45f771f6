/// What a device test measures of one frame: enough to tell frames apart and to see a
/// constant (stuck, black) picture.
public struct FrameCheck: Equatable, Sendable {
    /// FNV-1a over the visible pixels (row padding skipped).
    public var hash: UInt32
    public var minimum: UInt8
    public var maximum: UInt8
    public var mean: Double

    public var isConstant: Bool { minimum == maximum }

    public init(_ frame: Frame) {
        let f = frame.format
        let rowBytes = f.rowBytes
        var hash: UInt32 = 2_166_136_261
        var low: UInt8 = 255, high: UInt8 = 0
        var sum = 0
        var count = 0
        for y in 0..<f.height {
            let start = y * f.bytesPerLine
            guard start + rowBytes <= frame.bytes.count else { break }
            for i in start..<(start + rowBytes) {
                let v = frame.bytes[i]
                hash = (hash ^ UInt32(v)) &* 16_777_619
                low = min(low, v)
                high = max(high, v)
                sum += Int(v)
            }
            count += rowBytes
        }
        self.hash = hash
        minimum = count > 0 ? low : 0
        maximum = count > 0 ? high : 0
        mean = count > 0 ? Double(sum) / Double(count) : 0
    }
}
