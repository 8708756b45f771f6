/// Scales the windowed frame up to use all 16 bits before the fixed-point FFT (TFLM's
/// `FftAutoScale`); the returned shift is undone later by the filter bank square root.
enum FFTAutoScale {
    static func apply(_ data: UnsafeMutablePointer<Int16>, count: Int) -> Int {
        var maxAbs: Int32 = 0
        for i in 0..<count {
            let v = Int32(data[i])
            if v > maxAbs { maxAbs = v } else if -v > maxAbs { maxAbs = -v }
        }
        // TFLM keeps the maximum in an Int16, so -32768 wraps to itself and gives shift 0,
        // as does any value >= 16384; the plain formula below yields the same.
        let shift = 16 - Int(FixedPoint.mostSignificantBit32(UInt32(maxAbs))) - 1
        if shift <= 0 { return 0 }
        for i in 0..<count { data[i] = data[i] << Int16(shift) }
        return shift
    }
}
