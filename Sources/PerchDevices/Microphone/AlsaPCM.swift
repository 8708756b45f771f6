import CPerchALSA
import PerchSystem

/// The parameters an ALSA PCM actually runs with, after the device had its say.
public struct AlsaConfiguration: Equatable, Sendable {
    public var sampleRate: Int
    public var channels: Int
    public var periodFrames: Int
    public var bufferFrames: Int

    public var description: String {
        "S16_LE " + String(sampleRate) + " Hz, " + String(channels) + " ch, period " + String(periodFrames)
            + " frames, buffer " + String(bufferFrames) + " frames"
    }
}

/// Every libasound PCM call Perch makes, in one place. libasound returns negative error
/// numbers instead of setting errno; `call` turns them into `Errno` and retries EINTR
/// through `retryingOnInterrupt`.
final class AlsaPCM {
    enum Direction { case capture, playback }

    let name: String
    private let handle: OpaquePointer
    private var closed = false

    /// Opens the PCM without blocking, so a busy device fails with EBUSY at once instead of
    /// waiting for its holder, then switches to blocking reads and writes.
    /// The corresponding C functions are `snd_pcm_open`, `snd_pcm_nonblock`.
    init(name: String, direction: Direction) throws(DeviceError) {
        self.name = name
        var pcm: OpaquePointer? = nil
        let stream = direction == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        let opened = AlsaPCM.call { Int(snd_pcm_open(&pcm, name, stream, SND_PCM_NONBLOCK)) }
        guard case .success = opened, let pcm else {
            if case .failure(let e) = opened { throw DeviceError.from(e, device: name, operation: "snd_pcm_open") }
            throw DeviceError.notFound(device: name, Errno.noEntry)
        }
        handle = pcm
        if case .failure(let e) = AlsaPCM.call({ Int(snd_pcm_nonblock(pcm, 0)) }) {
            _ = snd_pcm_close(pcm)
            throw DeviceError.from(e, device: name, operation: "snd_pcm_nonblock")
        }
    }

    deinit { close() }

    /// Sets interleaved S16_LE with the nearest rate, period and buffer the device allows
    /// (resampling off: Perch resamples itself and wants to know the real rate).
    func configure(rate: Int, channels: Int, periodFrames: Int, bufferFrames: Int) throws(DeviceError) -> AlsaConfiguration {
        var params: OpaquePointer? = nil
        guard snd_pcm_hw_params_malloc(&params) == 0, let params else {
            throw .failed(device: name, operation: "snd_pcm_hw_params_malloc", Errno(ENOMEM))
        }
        defer { snd_pcm_hw_params_free(params) }
        var actualRate = UInt32(rate)
        var period = snd_pcm_uframes_t(periodFrames)
        var buffer = snd_pcm_uframes_t(bufferFrames)
        var direction: Int32 = 0
        try step("hw_params_any") { snd_pcm_hw_params_any(handle, params) }
        try step("set_access") { snd_pcm_hw_params_set_access(handle, params, SND_PCM_ACCESS_RW_INTERLEAVED) }
        try step("set_format S16_LE") { snd_pcm_hw_params_set_format(handle, params, SND_PCM_FORMAT_S16_LE) }
        try step("set_channels " + String(channels)) { snd_pcm_hw_params_set_channels(handle, params, UInt32(channels)) }
        _ = snd_pcm_hw_params_set_rate_resample(handle, params, 0)
        try step("set_rate_near") { snd_pcm_hw_params_set_rate_near(handle, params, &actualRate, &direction) }
        try step("set_period_size_near") { snd_pcm_hw_params_set_period_size_near(handle, params, &period, &direction) }
        try step("set_buffer_size_near") { snd_pcm_hw_params_set_buffer_size_near(handle, params, &buffer) }
        try step("hw_params") { snd_pcm_hw_params(handle, params) }
        _ = snd_pcm_hw_params_get_period_size(params, &period, &direction)
        _ = snd_pcm_hw_params_get_buffer_size(params, &buffer)
        return AlsaConfiguration(sampleRate: Int(actualRate), channels: channels,
                                 periodFrames: Int(period), bufferFrames: Int(buffer))
    }

    /// Reads up to `frames` interleaved frames. The corresponding C function is `snd_pcm_readi`.
    func read(_ buffer: UnsafeMutableRawPointer, frames: Int) -> Result<Int, Errno> {
        AlsaPCM.call { snd_pcm_readi(handle, buffer, snd_pcm_uframes_t(frames)) }
    }

    /// The corresponding C function is `snd_pcm_writei`.
    func write(_ buffer: UnsafeRawPointer, frames: Int) -> Result<Int, Errno> {
        AlsaPCM.call { snd_pcm_writei(handle, buffer, snd_pcm_uframes_t(frames)) }
    }

    /// Makes the PCM ready again after an xrun. The corresponding C function is `snd_pcm_prepare`.
    func prepare() -> Result<Int, Errno> { AlsaPCM.call { Int(snd_pcm_prepare(handle)) } }

    /// Wakes a suspended PCM; EAGAIN while the device is still resuming.
    /// The corresponding C function is `snd_pcm_resume`.
    func resume() -> Result<Int, Errno> { AlsaPCM.call { Int(snd_pcm_resume(handle)) } }

    /// Starts a capture stream (reads would also start it). The corresponding C function is `snd_pcm_start`.
    func start() -> Result<Int, Errno> { AlsaPCM.call { Int(snd_pcm_start(handle)) } }

    /// Plays out what is queued. The corresponding C function is `snd_pcm_drain`.
    func drain() { _ = AlsaPCM.call { Int(snd_pcm_drain(handle)) } }

    /// The corresponding C function is `snd_pcm_close`.
    func close() {
        guard !closed else { return }
        closed = true
        _ = snd_pcm_close(handle)
    }

    /// Runs a libasound call that returns `-errno` on failure.
    private static func call(_ body: () -> Int) -> Result<Int, Errno> {
        retryingNegatedErrnoCall(body)
    }

    private func step(_ operation: String, _ body: () -> Int32) throws(DeviceError) {
        if case .failure(let e) = AlsaPCM.call({ Int(body()) }) {
            throw DeviceError.unsupported(device: name, operation + ": " + e.description)
        }
    }
}
