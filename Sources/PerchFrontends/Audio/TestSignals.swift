/// Deterministic test signals for benchmarks and self-checks (`perch audio bench`,
/// perch-selfcheck): the same samples on every run and machine.
public enum TestSignals {
    /// Deterministic test signal: a chirp plus pseudo-random noise.
    public static func chirpWithNoise(rate: Int, seconds: Int, channels: Int) -> [Int16] {
        var samples = [Int16](repeating: 0, count: rate * seconds * channels)
        var state: UInt32 = 12345
        var phase = 0.0
        for n in 0..<(rate * seconds) {
            let f = 200 + 3000 * Double(n) / Double(rate * seconds)
            phase += 2 * Double.pi * f / Double(rate)
            if phase > Double.pi { phase -= 2 * Double.pi }
            state = state &* 1_664_525 &+ 1_013_904_223
            let noise = Double(Int32(bitPattern: state) >> 20)
            let v = 6000 * TableMath.sin(phase) + noise
            for c in 0..<channels { samples[n * channels + c] = Int16(v) }
        }
        return samples
    }

    /// A pure tone, the same on every channel.
    public static func tone(rate: Int, frequency: Double, seconds: Int, channels: Int) -> [Int16] {
        var samples = [Int16](repeating: 0, count: rate * seconds * channels)
        for n in 0..<(rate * seconds) {
            let v = Int16((12000 * TableMath.sin(2 * Double.pi * frequency * Double(n) / Double(rate))).rounded())
            for c in 0..<channels { samples[n * channels + c] = v }
        }
        return samples
    }
}
