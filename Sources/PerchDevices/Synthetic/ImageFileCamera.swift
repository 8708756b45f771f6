import PerchSystem
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
        let bytes: [UInt8]
        do { bytes = try Files.read(name) } catch {
            throw DeviceError.from(error, device: name, operation: "read")
        }
        let image: Image
        do { image = try ImageFile.read(bytes, path: name) } catch { throw .mediaFile(error) }
        let width = request.width > 0 ? request.width : image.width
        let height = request.height > 0 ? request.height : image.height
        format = FrameFormat(width: width, height: height, pixelFormat: request.pixelFormat,
                             framesPerSecond: Double(request.framesPerSecond))
        pixels = ImageFileCamera.render(image, to: format)
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

    /// Nearest-neighbour scaling into the frame layout.
    static func render(_ image: Image, to format: FrameFormat) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: format.frameBytes)
        let sourceRowBytes = image.format.rowBytes(width: image.width)
        for y in 0..<format.height {
            let sourceRow = (y * image.height / format.height) * sourceRowBytes
            for x in 0..<format.width {
                let (r, g, b) = colour(image, row: sourceRow, x: x * image.width / format.width)
                FramePixels.store(r, g, b, x: x, row: y * format.bytesPerLine, format: format.pixelFormat, into: &out)
            }
        }
        return out
    }

    /// R, G, B of pixel `x` of the row starting at `row`; grey pixels give R = G = B.
    private static func colour(_ image: Image, row: Int, x: Int) -> (UInt8, UInt8, UInt8) {
        switch image.format {
        case .rgb24: return (image.pixels[row + 3 * x], image.pixels[row + 3 * x + 1], image.pixels[row + 3 * x + 2])
        case .grey:
            let v = image.pixels[row + x]
            return (v, v, v)
        case .yuyv:  // files are never YUYV; luma is enough for a picture built in memory
            let v = image.pixels[row + 2 * x]
            return (v, v, v)
        }
    }
}
