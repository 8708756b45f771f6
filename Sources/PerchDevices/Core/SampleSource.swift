/// An interleaved signed 16-bit little-endian audio stream's shape.
public struct AudioFormat: Equatable, Sendable {
    public var sampleRate: Int
    public var channels: Int

    public init(sampleRate: Int, channels: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    public var bytesPerFrame: Int { 2 * channels }

    public var description: String {
        "S16_LE " + String(sampleRate) + " Hz " + String(channels) + (channels == 1 ? " channel" : " channels")
    }
}

/// Counters every sample source keeps.
public struct AudioStatistics: Equatable, Sendable {
    /// Frames (one sample per channel) delivered.
    public var frames = 0
    /// Overruns (-EPIPE): the reader was too slow and samples were lost.
    public var overruns = 0
    /// Suspends (-ESTRPIPE) recovered.
    public var suspends = 0
    public var reconnects = 0

    public init() {}
}

/// A microphone or anything that behaves like one. Class-bound so `any SampleSource`
/// works in Embedded Swift.
public protocol SampleSource: AnyObject {
    var name: String { get }
    /// The format actually delivered (valid after `start`).
    var format: AudioFormat { get }
    var state: DeviceState { get }
    var statistics: AudioStatistics { get }
    /// Why the device last closed or failed to open, while it is away or failed.
    var lastError: DeviceError? { get }

    func start() throws(DeviceError)
    /// Fills `buffer` with interleaved samples (whole frames) and returns the number of
    /// frames read; blocks until at least one period is available.
    func read(into buffer: UnsafeMutableBufferPointer<Int16>) throws(DeviceError) -> Int
    func stop()
}

extension SampleSource {
    /// File sources never lose their device.
    public var lastError: DeviceError? { nil }
}
