/// A camera without hardware: a deterministic picture of moving shapes (a square moving
/// right, a disc moving down, over a gradient), so the same frame number always gives the
/// same pixels. For the demo and for tests of everything downstream of a camera.
public final class TestPatternCamera: FrameSource {
    public let name = "test-pattern"
    public private(set) var format: FrameFormat
    public private(set) var state: DeviceState = .closed
    public private(set) var statistics = CaptureStatistics()
    private var pixels: [UInt8]
    private var sequence: UInt32 = 0
    private var pacer: FramePacer

    /// `paced` false delivers frames as fast as they are asked for (tests).
    public init(request: FrameRequest, paced: Bool = true) {
        format = FrameFormat(width: request.width, height: request.height, pixelFormat: request.pixelFormat,
                             framesPerSecond: Double(request.framesPerSecond))
        pixels = [UInt8](repeating: 0, count: format.frameBytes)
        pacer = FramePacer(framesPerSecond: paced ? Double(request.framesPerSecond) : 0)
    }

    public func start() throws(DeviceError) {
        guard format.width > 0, format.height > 0 else { throw .invalidArgument("test pattern size must be positive") }
        sequence = 0
        pacer.reset()
        state = .running
    }

    public func nextFrame(timeoutMs: Int, _ handler: (Frame) -> Void) throws(DeviceError) -> Bool {
        guard state == .running else { throw .invalidArgument("test-pattern camera is not started") }
        guard let timestamp = pacer.waitForNextFrame(timeoutMs: timeoutMs) else {
            statistics.timeouts += 1
            return false
        }
        TestPattern.draw(frame: Int(sequence), format: format, into: &pixels)
        let frame = sequence
        pixels.withUnsafeBytes { handler(Frame(format: format, sequence: frame, timestampNs: timestamp, bytes: $0)) }
        statistics.count(sequence: sequence, after: sequence == 0 ? nil : sequence - 1)
        sequence &+= 1
        return true
    }

    public func stop() { state = .closed }
}

/// The picture itself: a pure function of frame number and format.
public enum TestPattern {
    public static func draw(frame: Int, format: FrameFormat, into pixels: inout [UInt8]) {
        let w = format.width, h = format.height
        let side = max(4, min(w, h) / 4)
        let squareX = (frame * 4) % max(1, w - side)
        let squareY = h / 4
        let radius = max(2, side / 2)
        let discX = w * 2 / 3
        let discY = (frame * 3) % max(1, h)
        for y in 0..<h {
            let row = y * format.bytesPerLine
            for x in 0..<w {
                var r = UInt8(truncatingIfNeeded: x * 255 / max(1, w - 1))
                var g = UInt8(truncatingIfNeeded: y * 255 / max(1, h - 1))
                var b: UInt8 = 64
                if x >= squareX && x < squareX + side && y >= squareY && y < squareY + side {
                    r = 255; g = 255; b = 255
                }
                let dx = x - discX, dy = y - discY
                if dx * dx + dy * dy <= radius * radius { r = 0; g = 0; b = 255 }
                FramePixels.store(r, g, b, x: x, row: row, format: format.pixelFormat, into: &pixels)
            }
        }
    }

    /// BT.601 luma in integers: (77 R + 150 G + 29 B) / 256.
    @inline(__always)
    public static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        UInt8((77 * Int(r) + 150 * Int(g) + 29 * Int(b)) >> 8)
    }
}
