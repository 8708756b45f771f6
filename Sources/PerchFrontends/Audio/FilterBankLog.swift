/// Log compression of the channels (TFLM's `FilterbankLog`): the FFT's lost bits are shifted
/// back in, then ln(x) * outputScale, saturated to Int16; 0 and 1 map to 0.
enum FilterBankLog {
    static func apply(_ input: UnsafePointer<UInt32>, count: Int, correctionBits: Int, outputScale: Int,
                      into output: UnsafeMutablePointer<Int16>) {
        let shift = UInt32(correctionBits)
        let scale = UInt32(outputScale)
        for i in 0..<count {
            let scaled = input[i] &<< shift
            if scaled > 1 {
                let value = FixedPoint.log32(scaled, outputScale: scale)
                output[i] = Int16(min(value, UInt32(Int16.max)))
            } else {
                output[i] = 0
            }
        }
    }
}
