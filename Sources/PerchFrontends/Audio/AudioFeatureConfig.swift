/// Parameters of the micro_speech feature pipeline. The defaults are those that
/// TFLM's `audio_preprocessor.py` (FeatureParams) builds `audio_preprocessor_int8.tflite`
/// with, i.e. what micro_speech_quantized was trained on.
public struct AudioFeatureConfig: Sendable {
    public var sampleRate = 16000
    public var windowSizeMs = 30
    public var windowStrideMs = 20
    /// Q-format of the Hann window weights (4096 = 1.0).
    public var windowScalingBits = 12
    public var channelCount = 40
    public var lowerBandLimitHz: Float = 125
    public var upperBandLimitHz: Float = 7500
    /// Q-format of the filter bank weights.
    public var filterBankScalingBits = 12
    /// Bytes the filter bank's per-channel spans are aligned to, and their block size.
    public var filterBankAlignment = 4
    public var filterBankChannelBlockSize = 4
    /// The log output is scaled by 2^postScalingBits.
    public var postScalingBits = 6
    public var spectralSubtractionBits = 14
    public var noiseSmoothingBits = 10
    public var evenSmoothing = 0.025
    public var oddSmoothing = 0.06
    public var minSignalRemaining = 0.05
    public var noiseClamping = false
    public var pcanStrength: Float = 0.95
    public var pcanOffset: Float = 80
    public var pcanGainBits = 21
    public var pcanSmoothingBits = 10
    /// `pcan_op.py` overrides the computed SNR shift with this constant.
    public var pcanSNRShift = 6

    public init() {}

    /// The configuration micro_speech_quantized expects.
    public static var microSpeech: AudioFeatureConfig { AudioFeatureConfig() }

    public var windowSamples: Int { windowSizeMs * sampleRate / 1000 }
    public var strideSamples: Int { windowStrideMs * sampleRate / 1000 }

    /// Smallest power of two >= the window (the FFT length) and its log2.
    public var fftLog2: Int {
        var bits = 0
        while (1 << bits) < windowSamples { bits += 1 }
        return bits
    }
    public var fftLength: Int { 1 << fftLog2 }

    /// Bits the filter bank output lost to the FFT's internal scaling, restored in PCAN and log.
    var inputCorrectionBits: Int { fftLog2 - filterBankScalingBits / 2 }

    func validate() throws(FrontendError) {
        if sampleRate <= 0 || windowSamples < 2 || strideSamples < 1 || strideSamples > windowSamples {
            throw .invalidConfiguration("window and stride must be positive, stride <= window")
        }
        if fftLength < 64 || fftLength > 2048 {
            throw .invalidConfiguration("FFT length must be between 64 and 2048")
        }
        if channelCount < 1 || !(lowerBandLimitHz >= 0) || !(lowerBandLimitHz < upperBandLimitHz)
            || upperBandLimitHz > Float(sampleRate) / 2 {
            throw .invalidConfiguration("filter bank band limits")
        }
        if pcanSmoothingBits - inputCorrectionBits < 0 || inputCorrectionBits < 0 {
            throw .invalidConfiguration("PCAN input bits")
        }
    }
}
