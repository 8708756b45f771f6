/// Integer helpers of TFLite Micro's signal library (`signal/src/msb*.cc`, `square_root*.cc`,
/// `log.cc`), reproduced operation for operation: the feature pipeline is bit-exact only if
/// every shift and rounding step is the same.
enum FixedPoint {
    /// Bit length of `x`; 32 for zero, as TFLM's `__builtin_clz` path returns.
    @inline(__always)
    static func mostSignificantBit32(_ x: UInt32) -> UInt32 {
        x == 0 ? 32 : UInt32(32 - x.leadingZeroBitCount)
    }

    /// Bit length of `x`; 64 for zero.
    @inline(__always)
    static func mostSignificantBit64(_ x: UInt64) -> UInt32 {
        x == 0 ? 64 : UInt32(64 - x.leadingZeroBitCount)
    }

    /// Rounded integer square root (digit-by-digit), TFLM's `Sqrt32`.
    static func sqrt32(_ value: UInt32) -> UInt16 {
        if value == 0 { return 0 }
        var num = value
        var res: UInt32 = 0
        let maxBitNumber = Int(32 - mostSignificantBit32(num)) | 1
        var bit: UInt32 = 1 << UInt32(31 - maxBitNumber)
        var iterations = (31 - maxBitNumber) / 2 + 1
        while iterations > 0 {
            iterations -= 1
            if num >= res &+ bit {
                num &-= res &+ bit
                res = (res >> 1) &+ bit
            } else {
                res >>= 1
            }
            bit >>= 2
        }
        if num > res && res != 0xFFFF { res &+= 1 }
        return UInt16(truncatingIfNeeded: res)
    }

    /// TFLM's `Sqrt64`, including its 32-bit shortcut (slightly off near 2^32, kept for exactness).
    static func sqrt64(_ value: UInt64) -> UInt32 {
        if value >> 32 == 0 { return UInt32(sqrt32(UInt32(truncatingIfNeeded: value))) }
        var num = value
        var res: UInt64 = 0
        let maxBitNumber = Int(64 - mostSignificantBit64(num)) | 1
        var bit: UInt64 = 1 << UInt64(63 - maxBitNumber)
        var iterations = (63 - maxBitNumber) / 2 + 1
        while iterations > 0 {
            iterations -= 1
            if num >= res &+ bit {
                num &-= res &+ bit
                res = (res >> 1) &+ bit
            } else {
                res >>= 1
            }
            bit >>= 2
        }
        if num > res && res != 0xFFFF_FFFF { res &+= 1 }
        return UInt32(truncatingIfNeeded: res)
    }

    /// Piecewise-linear correction of log2's fractional part, 129 points over [1, 2) in 1/65536.
    static let logTable: [Int32] = [
        0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163,
        2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
        3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
        5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
        5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
        5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
        5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
        4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
        3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
        2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
        1094, 963, 830, 695, 559, 421, 282, 142, 0, 0,
    ]

    /// Natural log of `x` (> 1) times `outputScale`, TFLM's `Log32`: log2 from the MSB and the
    /// table, times ln 2 in Q16 (45426), then scaled, each step rounded as TFLM rounds it.
    static func log32(_ x: UInt32, outputScale: UInt32) -> UInt32 {
        let integer = mostSignificantBit32(x) &- 1
        // Fractional part of log2 in Q16.
        var frac = Int32(truncatingIfNeeded: Int64(x) - (Int64(1) << Int64(integer)))
        if integer < 16 { frac <<= Int32(16 - integer) } else { frac >>= Int32(integer - 16) }
        let segment = Int(UInt32(bitPattern: frac) >> 9)
        let c0 = logTable[segment]
        let c1 = logTable[segment + 1]
        let segmentBase = Int32(512 * segment)
        let relative = ((c1 - c0) &* (frac - segmentBase)) >> 16
        let fraction = UInt32(bitPattern: frac &+ c0 &+ relative)
        let log2 = (integer << 16) &+ fraction
        let round: UInt32 = 32768
        let loge = UInt32(truncatingIfNeeded: (UInt64(45426) &* UInt64(log2) &+ UInt64(round)) >> 16)
        return (outputScale &* loge &+ round) >> 16
    }
}
