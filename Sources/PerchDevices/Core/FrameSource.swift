/// Counters every frame source keeps.
public struct CaptureStatistics: Equatable, Sendable {
    public var frames = 0
    /// Frames the device produced that we never saw (sequence gaps).
    public var dropped = 0
    public var timeouts = 0
    /// Times the device was lost and reopened.
    public var reconnects = 0

    public init() {}

    /// Counts a frame with `sequence`, given the previous one (nil for the first).
    mutating func count(sequence: UInt32, after previous: UInt32?) {
        frames += 1
        if let previous, sequence > previous &+ 1 { dropped += Int(sequence - previous - 1) }
    }
}

/// A camera or anything that behaves like one. Class-bound so `any FrameSource` works
/// in Embedded Swift.
public protocol FrameSource: AnyObject {
    /// A name for log lines: the device path, "test-pattern", the image file.
    var name: String { get }
    /// The negotiated format (valid after `start`).
    var format: FrameFormat { get }
    var state: DeviceState { get }
    var statistics: CaptureStatistics { get }
    /// Why the device last closed or failed to open, while it is away or failed.
    var lastError: DeviceError? { get }

    func start() throws(DeviceError)
    /// Waits up to `timeoutMs` for the next frame and passes it to `handler`. Returns false
    /// when no frame came (timeout, or the device is away and being retried).
    func nextFrame(timeoutMs: Int, _ handler: (Frame) -> Void) throws(DeviceError) -> Bool
    /// Stops streaming and releases the device. Safe to call more than once.
    func stop()
}

extension FrameSource {
    /// Synthetic and file sources never lose their device.
    public var lastError: DeviceError? { nil }
}
