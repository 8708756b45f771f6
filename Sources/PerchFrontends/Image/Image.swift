/// Pixel layouts of camera frames and image files.
public enum PixelFormat: Sendable, Equatable {
    /// R, G, B bytes per pixel (V4L2_PIX_FMT_RGB24).
    case rgb24
    /// One luma byte per pixel (V4L2_PIX_FMT_GREY).
    case grey
    /// Y0 U Y1 V per two pixels, BT.601 limited range (V4L2_PIX_FMT_YUYV, when libv4l2
    /// conversion is off).
    case yuyv

    /// Bytes of a row of `width` pixels without padding.
    public func rowBytes(width: Int) -> Int {
        switch self {
        case .rgb24: return 3 * width
        case .grey: return width
        case .yuyv: return 2 * width
        }
    }

    public var name: String {
        switch self {
        case .rgb24: return "rgb24"
        case .grey: return "grey"
        case .yuyv: return "yuyv"
        }
    }
}

/// A frame in memory that the pipeline reads but does not own (a camera buffer).
public struct ImageView {
    public var base: UnsafeRawPointer
    public var width: Int
    public var height: Int
    /// Bytes from one row to the next (>= the row's pixel bytes).
    public var stride: Int
    public var format: PixelFormat

    public init(base: UnsafeRawPointer, width: Int, height: Int, stride: Int? = nil, format: PixelFormat) {
        self.base = base
        self.width = width
        self.height = height
        self.stride = stride ?? format.rowBytes(width: width)
        self.format = format
    }

    @inline(__always)
    func row(_ y: Int) -> UnsafePointer<UInt8> {
        (base + y * stride).assumingMemoryBound(to: UInt8.self)
    }
}

/// An image that owns its pixels, rows packed (images read from files).
public struct Image: Sendable {
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    public var pixels: [UInt8]

    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        precondition(pixels.count == format.rowBytes(width: width) * height, "pixel buffer size")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    public func withView<R>(_ body: (ImageView) throws(FrontendError) -> R) throws(FrontendError) -> R {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result: Result<R, FrontendError> = pixels.withUnsafeBytes { raw in
            do throws(FrontendError) {
                return .success(try body(ImageView(base: raw.baseAddress!, width: width, height: height, format: format)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
