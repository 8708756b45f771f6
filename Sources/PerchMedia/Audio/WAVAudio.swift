/// PCM audio as Perch handles it: interleaved signed 16-bit samples, any rate and
/// channel count (what `WAVFile` reads and writes).
public struct WAVAudio: Equatable, Sendable {
    public var sampleRate: Int
    public var channels: Int
    /// Interleaved samples, `frameCount * channels` of them.
    public var samples: [Int16]

    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    /// Frames: one sample per channel.
    public var frameCount: Int { channels == 0 ? 0 : samples.count / channels }
}
