import PerchSystem

/// A V4L2 camera by path (`/dev/video0`), read through libv4l2. When the device is missing
/// or disappears (ENODEV/EIO) the camera closes it, logs, and reopens it with backoff from
/// `nextFrame`, so a caller's capture loop simply sees no frames for a while.
public final class V4L2Camera: FrameSource {
    public let name: String
    public let request: FrameRequest
    public private(set) var format: FrameFormat
    public private(set) var state: DeviceState = .closed
    public private(set) var statistics = CaptureStatistics()
    public private(set) var lastError: DeviceError?
    /// What the device reported at the last successful open.
    public private(set) var capabilities: CameraCapabilities?
    private var session: V4L2Session?
    private var backoff = Backoff()
    private var lastSequence: UInt32?

    public init(path: String, request: FrameRequest) {
        self.name = path
        self.request = request
        self.format = FrameFormat(width: request.width, height: request.height,
                                  pixelFormat: request.pixelFormat, framesPerSecond: Double(request.framesPerSecond))
    }

    deinit { session?.close() }

    /// Opens, negotiates and starts streaming. A recoverable error (missing, busy, gone)
    /// is thrown and also leaves the camera `waiting`: calling `nextFrame` keeps retrying.
    public func start() throws(DeviceError) {
        do throws(DeviceError) {
            try open()
            state = .running
        } catch {
            handle(error, while: "opening")
            throw error
        }
    }

    public func nextFrame(timeoutMs: Int, _ handler: (Frame) -> Void) throws(DeviceError) -> Bool {
        if case .waiting(let retryAt, _) = state {
            let wait = retryAt - MonotonicClock.milliseconds
            if wait > Int64(timeoutMs) {
                MonotonicClock.sleep(milliseconds: timeoutMs)
                return false
            }
            MonotonicClock.sleep(milliseconds: Int(wait))
            do throws(DeviceError) {
                try open()
            } catch {
                handle(error, while: "reopening")
                return false
            }
            statistics.reconnects += 1
            state = .running
            Log.notice("camera " + name + ": reconnected, " + format.description)
        }
        guard let session, state == .running else { throw .invalidArgument("camera " + name + " is not started") }
        let currentFormat = format
        var sequence: UInt32 = 0
        do throws(DeviceError) {
            let got = try session.dequeue(timeoutMs: timeoutMs) { bytes, seq, timestamp in
                sequence = seq
                handler(Frame(format: currentFormat, sequence: seq, timestampNs: timestamp, bytes: bytes))
            }
            if !got { statistics.timeouts += 1; return false }
        } catch {
            handle(error, while: "streaming")
            if error.isRecoverable { return false }
            throw error
        }
        statistics.count(sequence: sequence, after: lastSequence)
        lastSequence = sequence
        return true
    }

    public func stop() {
        session?.close()
        session = nil
        if state != .closed { Log.info("camera " + name + ": stopped after " + String(statistics.frames) + " frames") }
        state = .closed
    }

    /// Names of the camera's controls (needs a started camera).
    public func controlNames() -> [String] { session?.controlNames() ?? [] }

    /// Every format, size and rate the device lists (needs a started camera).
    public func formats() -> [CameraFormatDescription] { session?.formats() ?? [] }

    /// Opens `path` only to set a control, e.g. vivid's "Disconnect" button in tests.
    public static func setControl(path: String, name: String, value: Int32) throws(DeviceError) {
        let session = try V4L2Session(path: path)
        defer { session.close() }
        try session.setControl(named: name, to: value)
    }

    private func open() throws(DeviceError) {
        session?.close()
        session = nil
        let fresh = try V4L2Session(path: name)
        capabilities = try? fresh.capabilities().get()
        try fresh.negotiate(request)
        try fresh.startStreaming(bufferCount: request.bufferCount)
        format = fresh.format
        session = fresh
        lastSequence = nil
        backoff.reset()
    }

    /// Closes the device and schedules a retry for recoverable errors; marks the camera
    /// failed otherwise. Either way one log line says what happened.
    private func handle(_ error: DeviceError, while action: String) {
        session?.close()
        session = nil
        lastError = error
        state = backoff.stateAfter(error, device: "camera", while: action)
    }
}
