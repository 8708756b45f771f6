import PerchRuntime

/// Streaming sample-rate conversion to (by default) 16 kHz mono, in fixed point: a rational
/// L/M polyphase FIR. Stereo and multi-channel input is first averaged to mono. Each output
/// sample is one dot product of Q15 (or Q14) taps with the newest input samples (SIMD, Int32
/// accumulation; the tap format is chosen at init so that no input can overflow it).
///
/// The filter passes up to `passband` (default 0.875 x the lower Nyquist, 7 kHz for
/// 16 kHz output) and is designed for `attenuation` dB (default 80) from the lower Nyquist
/// frequency on, so what would alias into the output is removed. Rounding the taps to 14-15
/// bits leaves a floor near -71 dB (measured for 44.1 and 48 kHz input; see the tests).
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    public let channels: Int
    let up: Int       // L
    let down: Int     // M
    let tapCount: Int // per phase, a multiple of 8
    /// Fraction bits of the taps (15 unless overflow safety needs fewer).
    var fractionBits: Int32 = 15
    /// Phase-major taps, each phase reversed so it runs over samples oldest to newest.
    let taps: UnsafeMutablePointer<Int16>
    /// Mono input history: `tapCount - 1` old samples, then new ones.
    let history: UnsafeMutablePointer<Int16>
    let historyCapacity: Int
    var historyCount: Int
    let output: UnsafeMutablePointer<Int16>
    let outputCapacity = 256
    /// Position of the next output: newest input sample it needs (index into history) and phase.
    var nextIndex: Int
    var phase = 0

    public init(inputRate: Int, outputRate: Int = 16000, channels: Int = 1,
                passband: Double = 0.875, attenuation: Double = 80) throws(FrontendError) {
        guard inputRate > 0, outputRate > 0, channels >= 1, inputRate <= 384_000, outputRate <= 384_000 else {
            throw .invalidConfiguration("resampler rates and channel count")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.channels = channels
        var a = inputRate, b = outputRate
        while b != 0 { (a, b) = (b, a % b) }
        up = outputRate / a
        down = inputRate / a
        guard up <= 1024 else { throw .invalidConfiguration("rate ratio too fine (L > 1024)") }

        if up == 1 && down == 1 {
            tapCount = 8
            taps = .allocate(capacity: 8)
            taps.initialize(repeating: 0, count: 8)
            taps[7] = Int16.max  // unused: equal rates copy samples
        } else {
            // Design at the upsampled rate L * input.
            let upRate = Double(up * inputRate)
            let nyquist = Double(min(inputRate, outputRate)) / 2
            let stop = nyquist / upRate
            let pass = nyquist * passband / upRate
            let length0 = LowpassDesign.kaiserLength(attenuation: attenuation, transition: stop - pass)
            let perPhase = ((length0 + up - 1) / up + 7) / 8 * 8
            let length = perPhase * up
            let prototype = LowpassDesign.kaiserSinc(length: length, cutoff: (pass + stop) / 2,
                                                     beta: LowpassDesign.kaiserBeta(attenuation: attenuation),
                                                     gain: Double(up))
            tapCount = perPhase
            taps = .allocate(capacity: up * perPhase)
            // Taps in Q15, or fewer fraction bits if a phase's |taps| sum could let
            // sum(taps * samples) overflow 32 bits for some Int16 input (a sinc's |sum| grows
            // with its length).
            var maxAbsSum = 0.0
            for p in 0..<up {
                var absSum = 0.0
                for k in 0..<perPhase { absSum += abs(prototype[p + k * up]) }
                maxAbsSum = max(maxAbsSum, absSum)
            }
            var bits = 15
            while bits > 8 && (maxAbsSum * Double(1 << bits) + Double(perPhase)) * 32768 >= Double(Int32.max) { bits -= 1 }
            fractionBits = Int32(bits)
            for p in 0..<up {
                for j in 0..<perPhase {
                    // Output uses h[p + k*L] * x[newest - k]; store k reversed.
                    let k = perPhase - 1 - j
                    let q = Int((prototype[p + k * up] * Double(1 << bits)).rounded())
                    taps[p * perPhase + j] = Int16(clamping: q)
                }
            }
        }
        historyCapacity = tapCount + 4096
        history = .allocate(capacity: historyCapacity)
        history.initialize(repeating: 0, count: historyCapacity)
        historyCount = tapCount - 1  // zeros before the first sample
        nextIndex = tapCount - 1
        output = .allocate(capacity: outputCapacity)
    }

    deinit {
        taps.deallocate()
        history.deallocate()
        output.deallocate()
    }

    /// Restarts the stream (zero history).
    public func reset() {
        history.update(repeating: 0, count: historyCapacity)
        historyCount = tapCount - 1
        nextIndex = tapCount - 1
        phase = 0
    }

    /// Output samples per input frame, as a rational (up/down).
    public var ratio: (up: Int, down: Int) { (up, down) }

    /// Feeds interleaved samples (`channels` per frame; a trailing partial frame is dropped)
    /// and emits blocks of resampled mono samples, valid only during the call.
    public func process(_ input: UnsafeBufferPointer<Int16>, _ emit: (UnsafeBufferPointer<Int16>) -> Void) {
        let frames = input.count / channels
        var frame = 0
        while frame < frames {
            // Append as much as fits after the history.
            let room = historyCapacity - historyCount
            let take = min(room, frames - frame)
            mixToMono(input.baseAddress! + frame * channels, frames: take, into: history + historyCount)
            historyCount += take
            frame += take
            produce(emit)
        }
    }

    public func process(_ input: [Int16], _ emit: (UnsafeBufferPointer<Int16>) -> Void) {
        input.withUnsafeBufferPointer { process($0, emit) }
    }

    func mixToMono(_ src: UnsafePointer<Int16>, frames: Int, into dst: UnsafeMutablePointer<Int16>) {
        if channels == 1 {
            dst.update(from: src, count: frames)
            return
        }
        if channels == 2 {
            for f in 0..<frames {
                dst[f] = Int16(truncatingIfNeeded: (Int32(src[2 * f]) + Int32(src[2 * f + 1])) >> 1)
            }
            return
        }
        let n = Int32(channels)
        for f in 0..<frames {
            var sum: Int32 = 0
            for c in 0..<channels { sum += Int32(src[f * channels + c]) }
            dst[f] = Int16(truncatingIfNeeded: (sum + (sum >= 0 ? n / 2 : -(n / 2))) / n)
        }
    }

    func produce(_ emit: (UnsafeBufferPointer<Int16>) -> Void) {
        var count = 0
        if up == 1 && down == 1 {
            // Equal rates: the history is only a queue.
            var index = nextIndex
            while index < historyCount {
                output[count] = history[index]
                count += 1
                index += 1
                if count == outputCapacity { emit(UnsafeBufferPointer(start: output, count: count)); count = 0 }
            }
            nextIndex = index
        } else {
            while nextIndex < historyCount {
                let window = history + (nextIndex - (tapCount - 1))
                output[count] = Resampler.dot(taps + phase * tapCount, window, count: tapCount, fractionBits: fractionBits)
                count += 1
                if count == outputCapacity { emit(UnsafeBufferPointer(start: output, count: count)); count = 0 }
                phase += down
                nextIndex += phase / up
                phase %= up
            }
        }
        if count > 0 { emit(UnsafeBufferPointer(start: output, count: count)) }
        // Drop input no longer needed, keeping tapCount - 1 samples before the next output.
        let keepFrom = min(nextIndex - (tapCount - 1), historyCount)
        if keepFrom > 0 {
            let keep = historyCount - keepFrom
            history.update(from: history + keepFrom, count: keep)
            historyCount = keep
            nextIndex -= keepFrom
        }
    }

    /// Fixed-point dot product, rounded and saturated (SIMD, 8 lanes).
    @inline(__always)
    static func dot(_ taps: UnsafePointer<Int16>, _ samples: UnsafePointer<Int16>, count: Int,
                    fractionBits: Int32) -> Int16 {
        var acc = SIMD8<Int32>()
        var j = 0
        let rawTaps = UnsafeRawPointer(taps), rawSamples = UnsafeRawPointer(samples)
        while j < count {
            let t = rawTaps.loadUnaligned(fromByteOffset: 2 * j, as: SIMD8<Int16>.self)
            let s = rawSamples.loadUnaligned(fromByteOffset: 2 * j, as: SIMD8<Int16>.self)
            acc &+= widenToInt32(t) &* widenToInt32(s)
            j += 8
        }
        let sum = acc.wrappedSum()
        return Int16(clamping: (sum &+ (1 << (fractionBits - 1))) >> fractionBits)
    }

    /// The same dot product without SIMD: the reference the SIMD one is tested against.
    static func dotReference(_ taps: UnsafePointer<Int16>, _ samples: UnsafePointer<Int16>, count: Int,
                             fractionBits: Int32) -> Int16 {
        var sum: Int32 = 0
        for j in 0..<count { sum &+= Int32(taps[j]) * Int32(samples[j]) }
        return Int16(clamping: (sum &+ (1 << (fractionBits - 1))) >> fractionBits)
    }
}
