import PerchDaemonCore
import PerchDevices
import PerchFrontends
import PerchSystem

/// One microphone's capture thread: periods are mixed to mono, resampled to 16 kHz when
/// needed, kept raw in an AudioRingBuffer and turned into feature frames for the models.
final class MicrophoneWorker: @unchecked Sendable {
    static let featureRate = 16_000
    let config: MicrophoneConfig
    let status: SourceStatus
    let stop: StopFlag
    let features: FeatureRing
    let raw: AudioRingBuffer
    /// Loudness of the last period, for the live view's level meter.
    let level = AudioLevel()
    private var thread: Thread? = nil

    /// `rawSamples`: raw 16 kHz audio kept (at least 2 s; `[record]` asks for more).
    init(config: MicrophoneConfig, featureFrames: Int, rawSamples: Int = 0, stop: StopFlag) {
        self.config = config
        self.stop = stop
        status = SourceStatus(name: config.name, kind: "microphone", device: config.device.description)
        features = FeatureRing(frameSize: 40, capacity: max(featureFrames, 1))
        raw = AudioRingBuffer(capacity: max(MicrophoneWorker.featureRate * 2, rawSamples))
    }

    func start() throws(Errno) {
        let worker = self
        thread = try Thread.spawn { worker.run() }
    }

    func join() {
        thread?.join()
        thread = nil
    }

    private func run() {
        let config = self.config
        superviseSource(kind: "microphone", name: config.name, status: status, stop: stop,
                        make: { SourceFactory.microphone(config) },
                        start: { (source: any SampleSource) throws(DeviceError) in try source.start() },
                        describe: { $0.format.description },
                        capture: { self.capture($0) },
                        close: { $0.stop() })
    }

    private func capture(_ source: SampleSource) {
        let format = source.format
        let extractor: AudioFeatureExtractor
        var resampler: Resampler? = nil
        do throws(FrontendError) {
            extractor = try AudioFeatureExtractor()
            if format.sampleRate != MicrophoneWorker.featureRate {
                resampler = try Resampler(inputRate: format.sampleRate, outputRate: MicrophoneWorker.featureRate, channels: 1)
            }
        } catch {
            status.fail(error.description, state: "failed", retry: false)
            _ = stop.sleep(milliseconds: 5_000)
            return
        }
        let channels = max(1, format.channels)
        let periodFrames = max(64, config.periodFrames)
        var buffer = [Int16](repeating: 0, count: periodFrames * channels)
        var mono = [Int16](repeating: 0, count: periodFrames)
        let features = self.features
        let raw = self.raw
        let level = self.level
        while !stop.isSet {
            let frames: Int
            do throws(DeviceError) {
                frames = try buffer.withUnsafeMutableBufferPointer { b throws(DeviceError) in try source.read(into: b) }
            } catch {
                Log.warning("microphone " + config.name + ": " + error.description)
                status.fail(error.description, state: "waiting", retry: false)
                return
            }
            status.addFrames(UInt64(frames))
            status.follow(source.state, error: source.lastError, reconnects: source.statistics.reconnects,
                          overruns: source.statistics.overruns)
            if frames == 0 { continue }
            for i in 0..<frames {
                var sum = 0
                for c in 0..<channels { sum += Int(buffer[i * channels + c]) }
                mono[i] = Int16(sum / channels)
            }
            mono.withUnsafeBufferPointer { all in
                let chunk = UnsafeBufferPointer(rebasing: all[0..<frames])
                level.update(chunk)
                let consume: (UnsafeBufferPointer<Int16>) -> Void = { samples in
                    raw.append(samples)
                    extractor.process(samples) { frame in features.append(frame) }
                }
                if let resampler { resampler.process(chunk, consume) } else { consume(chunk) }
            }
        }
    }
}
