/// What went wrong encoding or decoding a JPEG; `description` says what and with which sizes.
public enum JPEGError: Error, Equatable, Sendable {
    /// tjInitCompress / tjInitDecompress failed (out of memory).
    case cannotInitialize(String)
    /// Width, height or stride do not fit the pixel bytes given.
    case badGeometry(width: Int, height: Int, stride: Int, bytes: Int)
    /// A pixel layout the encoder does not take (it takes RGB24 and GREY).
    case unsupportedFormat(String)
    /// libjpeg-turbo refused to compress; its message.
    case encodeFailed(String)
    /// Not a JPEG, truncated, or corrupt; libjpeg-turbo's message.
    case decodeFailed(String)

    public var description: String {
        switch self {
        case .cannotInitialize(let m): return "cannot initialize libjpeg-turbo: " + m
        case .badGeometry(let w, let h, let s, let b):
            return "image " + String(w) + "x" + String(h) + " with stride " + String(s) + " does not fit in "
                + String(b) + " bytes"
        case .unsupportedFormat(let f): return "JPEG encoding takes rgb24 or grey pixels, not " + f
        case .encodeFailed(let m): return "JPEG encoding failed: " + m
        case .decodeFailed(let m): return "not a decodable JPEG: " + m
        }
    }
}
