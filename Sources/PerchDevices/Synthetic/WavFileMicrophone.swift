import PerchSystem
import PerchMedia

/// A microphone that plays a WAV file, looping, paced in real time: `read` returns a
/// period's worth of samples no sooner than a real device would.
public final class WavFileMicrophone: SampleSource {
    public let name: String
    public private(set) var format: AudioFormat
    public private(set) var state: DeviceState = .closed
    public private(set) var statistics = AudioStatistics()
    public let periodFrames: Int
    private let paced: Bool
    private var audio = WAVAudio(sampleRate: 16_000, channels: 1, samples: [])
    private var position = 0
    private var startNs: Int64 = 0

    public init(path: String, periodFrames: Int = 256, paced: Bool = true) {
        name = path
        self.periodFrames = periodFrames
        self.paced = paced
        format = AudioFormat(sampleRate: 16_000, channels: 1)
    }

    public func start() throws(DeviceError) {
        let bytes: [UInt8]
        do { bytes = try Files.read(name) } catch {
            throw DeviceError.from(error, device: name, operation: "read")
        }
        do { audio = try WAVFile.read(bytes, path: name) } catch { throw .mediaFile(error) }
        guard audio.frameCount > 0 else { throw .unsupported(device: name, "WAV file has no samples to play") }
        format = audio.format
        position = 0
        statistics = AudioStatistics()
        startNs = MonotonicClock.nanoseconds
        state = .running
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(DeviceError) -> Int {
        guard state == .running else { throw .invalidArgument("WAV microphone " + name + " is not started") }
        let channels = format.channels
        let frames = min(buffer.count / channels, periodFrames)
        guard frames > 0 else { return 0 }
        if paced {
            // Samples become "available" when real time reaches the end of this chunk.
            let dueNs = startNs + Int64(statistics.frames + frames) * 1_000_000_000 / Int64(format.sampleRate)
            MonotonicClock.sleep(until: dueNs)
        }
        let total = audio.frameCount
        for f in 0..<frames {
            let source = ((position + f) % total) * channels
            for c in 0..<channels { buffer[f * channels + c] = audio.samples[source + c] }
        }
        position = (position + frames) % total
        statistics.frames += frames
        return frames
    }

    public func stop() { state = .closed }
}
