/// Spectral subtraction (TFLM's `FilterbankSpectralSubtraction`): a per-channel low-pass noise
/// estimate, carried across frames, is subtracted from each channel, keeping at least
/// `minSignalRemaining` of the signal. Even and odd channels adapt at different rates.
struct NoiseReduction {
    let smoothing: UInt32
    let oneMinusSmoothing: UInt32
    let alternateSmoothing: UInt32
    let alternateOneMinusSmoothing: UInt32
    let minSignalRemaining: UInt32
    let smoothingBits: UInt32
    let subtractionBits: UInt64
    let clamping: Bool

    init(config: AudioFeatureConfig) {
        let one = 1 << config.spectralSubtractionBits
        let scale = Double(one)
        // Python's int(x * 2^bits): truncation.
        let even = Int(config.evenSmoothing * scale)
        let odd = config.oddSmoothing == 0 ? even : Int(config.oddSmoothing * scale)
        smoothing = UInt32(even)
        oneMinusSmoothing = UInt32(one - even)
        alternateSmoothing = UInt32(odd)
        alternateOneMinusSmoothing = UInt32(one - odd)
        minSignalRemaining = UInt32(Int(config.minSignalRemaining * scale))
        smoothingBits = UInt32(config.noiseSmoothingBits)
        subtractionBits = UInt64(config.spectralSubtractionBits)
        clamping = config.noiseClamping
    }

    /// Updates `noise` in place and writes the noise-reduced channels to `output`.
    func apply(_ input: UnsafePointer<UInt32>, count: Int, noise: UnsafeMutablePointer<UInt32>,
               into output: UnsafeMutablePointer<UInt32>) {
        for i in 0..<count {
            let even = i & 1 == 0
            let s = UInt64(even ? smoothing : alternateSmoothing)
            let oneMinus = UInt64(even ? oneMinusSmoothing : alternateOneMinusSmoothing)
            let signalUp = input[i] &<< smoothingBits
            noise[i] = UInt32(truncatingIfNeeded: (UInt64(signalUp) &* s &+ UInt64(noise[i]) &* oneMinus) >> subtractionBits)
            var estimate = noise[i]
            if estimate > signalUp {
                estimate = signalUp
                if clamping { noise[i] = estimate }
            }
            let floor = UInt32(truncatingIfNeeded: (UInt64(input[i]) &* UInt64(minSignalRemaining)) >> subtractionBits)
            let subtracted = (signalUp &- estimate) >> smoothingBits
            output[i] = subtracted > floor ? subtracted : floor
        }
    }
}
