import PerchSystem

/// A microphone's recent loudness for the live view's level meter: RMS and peak of the last
/// period in dBFS (0 = full scale). The capture thread updates it once per period.
final class AudioLevel: @unchecked Sendable {
    private let mutex = PthreadMutex()
    private var rms: Double = -120
    private var peak: Double = -120

    func update(_ samples: UnsafeBufferPointer<Int16>) {
        guard !samples.isEmpty else { return }
        var sum: Double = 0
        var largest = 0
        for s in samples {
            let v = Int(s)
            sum += Double(v * v)
            largest = max(largest, abs(v))
        }
        let r = AudioLevel.decibels((sum / Double(samples.count)).squareRoot() / 32_768)
        let p = AudioLevel.decibels(Double(largest) / 32_768)
        mutex.withLock {
            rms = r
            peak = p
        }
    }

    var current: (rms: Double, peak: Double) { mutex.withLock { (rms, peak) } }

    /// 20·log10(x), floored at -120 dB (silence). The stdlib has no logarithm and this is
    /// the only one the daemon needs, so it is computed here rather than importing libm.
    static func decibels(_ amplitude: Double) -> Double {
        guard amplitude > 1e-6 else { return -120 }
        return 20 * log10(amplitude)
    }

    /// log10 for 0 < x ≤ ~1, by scaling into [0.5, 1) and the atanh series of ln.
    static func log10(_ x: Double) -> Double {
        var v = x
        var exponent = 0
        while v < 0.5 { v *= 2; exponent -= 1 }
        while v >= 1 { v /= 2; exponent += 1 }
        // ln(v) = 2·atanh((v-1)/(v+1)); |t| ≤ 1/3, so 12 terms are far below a hundredth of a dB.
        let t = (v - 1) / (v + 1)
        var term = t, sum = 0.0, n = 1.0
        for _ in 0..<12 {
            sum += term / n
            term *= t * t
            n += 2
        }
        let ln = 2 * sum + Double(exponent) * 0.6931471805599453
        return ln / 2.302585092994046
    }
}
