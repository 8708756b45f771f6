/// Streaming micro_speech features: feed 16 kHz mono Int16 samples in chunks of any length;
/// each time a 30 ms window completes (every 20 ms) one frame of 40 int8 features is emitted.
/// Noise estimates carry over from frame to frame, as in TFLM's stateful Signal operators.
/// All buffers are allocated once, in init: the per-frame path does not allocate.
///
/// Per frame: Hann window -> auto-scale -> 512-point fixed-point real FFT -> bin energies ->
/// mel filter bank + square root -> noise reduction -> PCAN -> log -> int8.
public final class AudioFeatureExtractor {
    public let config: AudioFeatureConfig
    public var channelCount: Int { config.channelCount }

    let window: HannWindow
    let fft: RealFFT
    let filterBank: MelFilterBank
    let noiseReduction: NoiseReduction
    let pcan: PCANGainControl

    // Scratch and state, sized at init.
    let samples: UnsafeMutablePointer<Int16>   // the current window being filled
    var filled = 0
    let fftInput: UnsafeMutablePointer<Int16>  // windowed frame, zero-padded to the FFT length
    let spectrum: UnsafeMutablePointer<Q15Complex>
    let energy: UnsafeMutablePointer<UInt32>
    let channels: UnsafeMutablePointer<UInt32>
    let reduced: UnsafeMutablePointer<UInt32>
    let noise: UnsafeMutablePointer<UInt32>
    let logFeatures: UnsafeMutablePointer<Int16>
    let features: UnsafeMutablePointer<Int8>

    public init(config: AudioFeatureConfig = .microSpeech) throws(FrontendError) {
        try config.validate()
        self.config = config
        let n = config.fftLength
        let bins = n / 2 + 1
        window = HannWindow(length: config.windowSamples, shift: config.windowScalingBits)
        fft = try RealFFT(length: n)
        filterBank = try MelFilterBank(
            spectrumSize: bins, sampleRate: config.sampleRate, channelCount: config.channelCount,
            lowerBandLimit: config.lowerBandLimitHz, upperBandLimit: config.upperBandLimitHz,
            alignment: config.filterBankAlignment, blockSize: config.filterBankChannelBlockSize,
            weightBits: config.filterBankScalingBits)
        noiseReduction = NoiseReduction(config: config)
        pcan = PCANGainControl(strength: config.pcanStrength, offset: config.pcanOffset,
                               gainBits: config.pcanGainBits,
                               inputBits: config.pcanSmoothingBits - config.inputCorrectionBits,
                               snrShift: config.pcanSNRShift)
        let c = config.channelCount
        samples = .allocate(capacity: config.windowSamples)
        fftInput = .allocate(capacity: n)
        fftInput.initialize(repeating: 0, count: n)
        spectrum = .allocate(capacity: bins)
        energy = .allocate(capacity: bins)
        // The filter bank may read aligned spans just past the used bins: keep them zero.
        energy.initialize(repeating: 0, count: bins)
        channels = .allocate(capacity: c)
        reduced = .allocate(capacity: c)
        noise = .allocate(capacity: c)
        noise.initialize(repeating: 0, count: c)
        logFeatures = .allocate(capacity: c)
        features = .allocate(capacity: c)
    }

    deinit {
        samples.deallocate(); fftInput.deallocate(); spectrum.deallocate(); energy.deallocate()
        channels.deallocate(); reduced.deallocate(); noise.deallocate()
        logFeatures.deallocate(); features.deallocate()
    }

    /// Forgets buffered samples and noise estimates (a new stream).
    public func reset() {
        filled = 0
        noise.update(repeating: 0, count: config.channelCount)
    }

    /// Feeds samples; `emit` receives each completed frame's int8 features (valid only
    /// during the call).
    public func process(_ input: UnsafeBufferPointer<Int16>, _ emit: (UnsafeBufferPointer<Int8>) -> Void) {
        let windowSize = config.windowSamples
        let stride = config.strideSamples
        var index = 0
        while index < input.count {
            let take = min(windowSize - filled, input.count - index)
            (samples + filled).update(from: input.baseAddress! + index, count: take)
            filled += take
            index += take
            if filled == windowSize {
                computeFrame()
                emit(UnsafeBufferPointer(start: features, count: config.channelCount))
                // Keep the overlap for the next window.
                let keep = windowSize - stride
                samples.update(from: samples + stride, count: keep)
                filled = keep
            }
        }
    }

    /// Convenience over an array.
    public func process(_ input: [Int16], _ emit: (UnsafeBufferPointer<Int8>) -> Void) {
        input.withUnsafeBufferPointer { process($0, emit) }
    }

    /// The Int16 log features of the last frame, before int8 quantization.
    public var lastLogFeatures: UnsafeBufferPointer<Int16> {
        UnsafeBufferPointer(start: logFeatures, count: config.channelCount)
    }

    func computeFrame() {
        let c = config.channelCount
        let bins = config.fftLength / 2 + 1
        window.apply(samples, fftInput)
        let shift = FFTAutoScale.apply(fftInput, count: config.windowSamples)
        fft.transform(fftInput, spectrum)
        SpectrumEnergy.compute(spectrum, start: filterBank.startIndex, end: filterBank.endIndex,
                               count: bins, into: energy)
        filterBank.apply(energy, scaleShift: shift, into: channels)
        noiseReduction.apply(channels, count: c, noise: noise, into: reduced)
        pcan.apply(reduced, noise: noise, count: c)
        FilterBankLog.apply(reduced, count: c, correctionBits: config.inputCorrectionBits,
                            outputScale: 1 << config.postScalingBits, into: logFeatures)
        for i in 0..<c { features[i] = FeatureQuantizer.quantize(logFeatures[i]) }
    }
}
