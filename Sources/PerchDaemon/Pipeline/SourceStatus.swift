import PerchDevices
import PerchSystem

/// What the daemon reports about one source (camera, microphone, GPIO chip): its state,
/// counters and last error. Written by the source's thread, read by the API.
public final class SourceStatus: @unchecked Sendable {
    public let name: String
    /// "camera", "microphone", "gpio".
    public let kind: String
    public let device: String
    private let mutex = PthreadMutex()
    private var stateName = "starting"
    private var error: String? = nil
    private var frameCount: UInt64 = 0
    private var xrunCount: UInt64 = 0
    private var retryCount: UInt64 = 0
    private var reconnectCount: UInt64 = 0
    /// The device's retry attempt last counted by `follow` (0: none since it last ran).
    private var followedAttempt = 0
    /// The device object's own reconnect and overrun counts at the last `follow` (a new
    /// object starts again at 0).
    private var followedReconnects = 0
    private var followedOverruns = 0

    public init(name: String, kind: String, device: String) {
        self.name = name
        self.kind = kind
        self.device = device
    }

    public struct Snapshot {
        public var name: String
        public var kind: String
        public var device: String
        public var state: String
        public var lastError: String?
        public var frames: UInt64
        public var xruns: UInt64
        public var retries: UInt64
        /// Times the device came back by itself after it was lost mid-capture.
        public var reconnects: UInt64
    }

    public func snapshot() -> Snapshot {
        mutex.withLock {
            Snapshot(name: name, kind: kind, device: device, state: stateName, lastError: error,
                     frames: frameCount, xruns: xrunCount, retries: retryCount,
                     reconnects: reconnectCount)
        }
    }

    func set(state: String) { mutex.withLock { stateName = state } }

    func fail(_ message: String, state: String, retry: Bool) {
        mutex.withLock {
            stateName = state
            error = message
            if retry { retryCount += 1 }
        }
    }

    /// Mirrors a device that reopens itself after it is lost (V4L2Camera, AlsaMicrophone):
    /// their capture calls keep returning nothing while they retry, so without this the
    /// status would say "running" through an outage. Each failed attempt counts as a retry
    /// and its error becomes the last error.
    /// The device's reconnects and overruns add to the totals, which never go back when the
    /// supervisor replaces the device object.
    func follow(_ device: DeviceState, error lost: DeviceError?, reconnects: Int, overruns: Int = 0) {
        mutex.withLock {
            reconnectCount += SourceStatus.gained(reconnects, since: &followedReconnects)
            xrunCount += SourceStatus.gained(overruns, since: &followedOverruns)
            switch device {
            case .waiting(_, let attempt):
                stateName = "waiting"
                if attempt != followedAttempt {
                    followedAttempt = attempt
                    retryCount += 1
                    if let lost { error = lost.description }
                }
            case .running:
                stateName = "running"
                followedAttempt = 0
            case .closed, .failed:
                break  // the capture loop ends and the supervisor reports it
            }
        }
    }

    func addFrames(_ n: UInt64) { mutex.withLock { frameCount += n } }

    /// What a device object's own counter gained since `seen`; a smaller value than `seen`
    /// means a new object, counting from 0.
    private static func gained(_ now: Int, since seen: inout Int) -> UInt64 {
        if now < seen { seen = 0 }
        defer { seen = now }
        return UInt64(now - seen)
    }
}
