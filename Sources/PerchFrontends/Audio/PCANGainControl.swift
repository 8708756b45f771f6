/// Per-channel automatic gain control (PCAN): each channel is divided by a power of its
/// noise estimate, gain = 2^gainBits * (noise + offset)^-strength, read from a piecewise
/// quadratic table over octaves of the noise (TFLM's `WideDynamicFunction`), then the SNR
/// goes through the "shrink" curve. The table is built as
/// `wide_dynamic_func_lut_wrapper.cc` builds it (float32, powf); a test compares it with
/// the one stored in audio_preprocessor_int8.tflite.
struct PCANGainControl {
    static let snrBits: UInt32 = 12
    static let outputBits: UInt32 = 6
    let table: [Int16]
    let snrShift: UInt64

    init(strength: Float, offset: Float, gainBits: Int, inputBits: Int, snrShift: Int) {
        func gain(_ x: UInt32) -> Int16 {
            let xf = Float(x) / Float(UInt32(1) << UInt32(inputBits))
            let power = Float(TableMath.pow(Double(xf + offset), Double(-strength)))
            let g = Float(UInt32(1) << UInt32(gainBits)) * power
            if g > Float(Int16.max) { return Int16.max }
            return Int16(g + 0.5)
        }
        let bits = 32
        var table = [Int16](repeating: 0, count: 4 * bits - 3 + 1)
        table[0] = gain(0)
        table[1] = gain(1)
        for interval in 2...bits {
            let x0 = UInt32(1) << UInt32(interval - 1)
            let x1 = x0 + (x0 >> 1)
            let x2 = interval == bits ? x0 + (x0 - 1) : 2 * x0
            let y0 = Int32(gain(x0)), y1 = Int32(gain(x1)), y2 = Int32(gain(x2))
            let diff1 = y1 - y0
            let diff2 = y2 - y0
            let a1 = 4 * diff1 - diff2
            let a2 = diff2 - a1
            let base = 4 * interval - 6
            table[base] = Int16(truncatingIfNeeded: y0)
            table[base + 1] = Int16(truncatingIfNeeded: a1)
            table[base + 2] = Int16(truncatingIfNeeded: a2)
            if base + 3 < table.count - 1 { table[base + 3] = 0 }
        }
        table.removeLast()  // the C code builds one entry of slack
        self.table = table
        self.snrShift = UInt64(snrShift)
    }

    /// Gain for a noise estimate `x`: quadratic interpolation inside x's octave.
    @inline(__always)
    static func wideDynamicFunction(_ x: UInt32, _ lut: UnsafePointer<Int16>) -> Int16 {
        if x <= 2 { return lut[Int(x)] }
        let interval = Int32(FixedPoint.mostSignificantBit32(x))
        let l = lut + Int(4 * interval - 6)
        let shifted = interval < 11 ? x << UInt32(11 - interval) : x >> UInt32(interval - 11)
        let frac = Int32(shifted & 0x3FF)
        var result = (Int32(l[2]) &* frac) >> 5
        result &+= Int32(bitPattern: UInt32(bitPattern: Int32(l[1])) &<< 5)
        result = result &* frac
        result = (result &+ (1 << 14)) >> 15
        result &+= Int32(l[0])
        return Int16(truncatingIfNeeded: result)
    }

    /// shrink(x) = x^2/4 below 2, x - 1 above; input Q12, output Q6.
    @inline(__always)
    static func shrink(_ x: UInt32) -> UInt32 {
        if x < (2 << snrBits) {
            return (x &* x) >> (2 + 2 * snrBits - outputBits)
        }
        return (x >> (snrBits - outputBits)) &- (1 << outputBits)
    }

    func apply(_ channels: UnsafeMutablePointer<UInt32>, noise: UnsafePointer<UInt32>, count: Int) {
        table.withUnsafeBufferPointer { lut in
            for i in 0..<count {
                let g = PCANGainControl.wideDynamicFunction(noise[i], lut.baseAddress!)
                let gain = UInt64(UInt32(bitPattern: Int32(g)))
                let snr = UInt32(truncatingIfNeeded: (UInt64(channels[i]) &* gain) >> snrShift)
                channels[i] = PCANGainControl.shrink(snr)
            }
        }
    }
}
