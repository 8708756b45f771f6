import CPerchALSA
import PerchSystem

/// What a caller asks of a microphone; the device may give another rate.
public struct AudioRequest: Equatable, Sendable {
    public var sampleRate: Int
    public var channels: Int
    public var periodFrames: Int
    public var bufferFrames: Int

    public init(sampleRate: Int = 16_000, channels: Int = 1, periodFrames: Int = 256, bufferFrames: Int = 2_048) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.periodFrames = periodFrames
        self.bufferFrames = bufferFrames
    }
}

/// An ALSA capture PCM by name (`default`, `hw:1,0`, `plughw:Loopback,1,0`), S16_LE.
/// Overruns (-EPIPE) and suspends (-ESTRPIPE) are recovered and counted; a device that
/// disappears is closed and reopened with backoff, as the camera does.
public final class AlsaMicrophone: SampleSource {
    public let name: String
    public let request: AudioRequest
    public private(set) var format: AudioFormat
    public private(set) var configuration: AlsaConfiguration?
    public private(set) var state: DeviceState = .closed
    public private(set) var statistics = AudioStatistics()
    public private(set) var lastError: DeviceError?
    private var pcm: AlsaPCM?
    private var backoff = Backoff()

    public init(device: String, request: AudioRequest) {
        self.name = device
        self.request = request
        self.format = AudioFormat(sampleRate: request.sampleRate, channels: request.channels)
    }

    deinit { pcm?.close() }

    /// Opens and configures the PCM. Errors are thrown; recoverable ones (missing, busy)
    /// also leave the microphone `waiting`, so `read` keeps retrying.
    public func start() throws(DeviceError) {
        do throws(DeviceError) {
            try open()
            state = .running
        } catch {
            handle(error, while: "opening")
            throw error
        }
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(DeviceError) -> Int {
        if case .waiting(let retryAt, _) = state {
            MonotonicClock.sleep(until: retryAt * 1_000_000)
            do throws(DeviceError) { try open() } catch {
                handle(error, while: "reopening")
                return 0
            }
            statistics.reconnects += 1
            state = .running
            Log.notice("microphone " + name + ": reconnected")
        }
        guard let pcm, state == .running else { throw .invalidArgument("microphone " + name + " is not started") }
        let frames = buffer.count / format.channels
        guard frames > 0, let base = buffer.baseAddress else { return 0 }
        while true {
            switch pcm.read(UnsafeMutableRawPointer(base), frames: frames) {
            case .success(let n):
                statistics.frames += n
                return n
            case .failure(let e) where e.code == EPIPE:
                // Overrun: samples were lost; restart the stream and go on.
                statistics.overruns += 1
                Log.warning("microphone " + name + ": overrun " + String(statistics.overruns) + ", samples lost")
                _ = pcm.prepare()
            case .failure(let e) where e.code == ESTRPIPE:
                statistics.suspends += 1
                Log.warning("microphone " + name + ": suspended; resuming")
                recoverFromSuspend(pcm)
            case .failure(let e) where e == .wouldBlock:
                MonotonicClock.sleep(milliseconds: 1)
            case .failure(let e):
                let error = DeviceError.from(e, device: name, operation: "snd_pcm_readi")
                handle(error, while: "reading")
                if error.isRecoverable { return 0 }
                throw error
            }
        }
    }

    public func stop() {
        pcm?.close()
        pcm = nil
        if state != .closed { Log.info("microphone " + name + ": stopped after " + String(statistics.frames) + " frames") }
        state = .closed
    }

    private func open() throws(DeviceError) {
        pcm?.close()
        pcm = nil
        let fresh = try AlsaPCM(name: name, direction: .capture)
        let config = try fresh.configure(rate: request.sampleRate, channels: request.channels,
                                         periodFrames: request.periodFrames, bufferFrames: request.bufferFrames)
        if case .failure(let e) = fresh.prepare() { throw DeviceError.from(e, device: name, operation: "snd_pcm_prepare") }
        configuration = config
        format = AudioFormat(sampleRate: config.sampleRate, channels: config.channels)
        pcm = fresh
        backoff.reset()
        Log.info("microphone " + name + ": " + config.description
                 + (config.sampleRate != request.sampleRate ? " (asked for " + String(request.sampleRate) + " Hz)" : ""))
    }

    /// After a system suspend: resume when the driver can, else restart the stream.
    private func recoverFromSuspend(_ pcm: AlsaPCM) {
        for _ in 0..<100 {
            switch pcm.resume() {
            case .success: return
            case .failure(let e) where e == .wouldBlock: MonotonicClock.sleep(milliseconds: 10)
            case .failure: _ = pcm.prepare(); return
            }
        }
        _ = pcm.prepare()
    }

    private func handle(_ error: DeviceError, while action: String) {
        pcm?.close()
        pcm = nil
        lastError = error
        state = backoff.stateAfter(error, device: "microphone", while: action)
    }
}
