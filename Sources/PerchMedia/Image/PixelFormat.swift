/// Pixel layouts of camera frames and image files. The raw value is the name a
/// configuration's `format` key takes (`[camera] format = yuyv`).
public enum PixelFormat: String, Equatable, Hashable, Sendable, CaseIterable {
    /// R, G, B bytes per pixel (V4L2_PIX_FMT_RGB24, fourcc RGB3).
    case rgb24
    /// One luma byte per pixel (V4L2_PIX_FMT_GREY).
    case grey
    /// Y0 U Y1 V per two pixels, BT.601 limited range (V4L2_PIX_FMT_YUYV): what most USB
    /// webcams deliver without conversion.
    case yuyv

    /// Bytes of a row of `width` pixels without padding.
    public func rowBytes(width: Int) -> Int {
        switch self {
        case .rgb24: return 3 * width
        case .grey: return width
        case .yuyv: return 2 * width
        }
    }

    /// The name `init(parsing:)` reads back.
    public var name: String { rawValue }

    /// A format from its name, its V4L2 fourcc, or a common alias, in any case.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "rgb24", "rgb", "rgb3": self = .rgb24
        case "grey", "gray", "y8": self = .grey
        case "yuyv", "yuy2": self = .yuyv
        default: return nil
        }
    }
}
