import PerchMedia


/// A camera that shows one picture file (BMP/PPM/PGM) at a fixed rate: the same frame
/// each time, scaled (nearest neighbour) to the requested size and pixel format.
public final class ImageFileCamera: FrameSource {
    public let name: String
    public private(set) var format: FrameFormat
    public private(set) var state: DeviceState = .closed
    public private(set) var statistics = CaptureStatistics()
    private var pixels: [UInt8] = []
    private var sequence: UInt32 = 0
    private var pacer: FramePacer
    private let request: FrameRequest

    /// A request size of 0 keeps the picture's own size.
    public init(path: String, request: FrameRequest, paced: Bool = true) {
        name = path
        self.request = request
        format = FrameFormat(width: request.width, height: request.height, pixelFormat: request.pixelFormat,
                             framesPerSecond: Double(request.framesPerSecond))
        pacer = FramePacer(framesPerSecond: paced ? Double(request.framesPerSecond) : 0)
    }

    public func start() throws(DeviceError) {
        let image = try ImageFrames.load(name, device: name)
        format = ImageFrames.format(for: image, request: request)
        pixels = ImageFrames.render(image, to: format)
        sequence = 0
        pacer.reset()
        state = .running
    }

    public func nextFrame(timeoutMs: Int, _ handler: (Frame) -> Void) throws(DeviceError) -> Bool {
        guard state == .running else { throw .invalidArgument("image camera " + name + " is not started") }
        guard let timestamp = pacer.waitForNextFrame(timeoutMs: timeoutMs) else {
            statistics.timeouts += 1
            return false
        }
        let frame = sequence
        pixels.withUnsafeBytes { handler(Frame(format: format, sequence: frame, timestampNs: timestamp, bytes: $0)) }
        statistics.count(sequence: sequence, after: sequence == 0 ? nil : sequence - 1)
        sequence &+= 1
        return true
    }

    public func stop() { state = .closed }
}
