/// Power of each FFT bin, |X|^2, in [start, end); other bins are zero (the preprocessor graph
/// zeroes them with a slice and concat). 32-bit wrapping as in TFLM's `SpectrumToEnergy`.
enum SpectrumEnergy {
    static func compute(_ spectrum: UnsafePointer<Q15Complex>, start: Int, end: Int,
                        count: Int, into energy: UnsafeMutablePointer<UInt32>) {
        for i in 0..<count {
            if i < start || i >= end {
                energy[i] = 0
            } else {
                let re = Int32(spectrum[i].re)
                let im = Int32(spectrum[i].im)
                energy[i] = UInt32(bitPattern: re &* re &+ im &* im)
            }
        }
    }
}
