/// Readers for the still-image formats Perch takes from files (`perch image tensor`, the
/// image-file camera): BMP (8-bit palette, 24-bit, 32-bit; bottom-up or top-down) and
/// binary PGM/PPM (P5/P6) with 8-bit samples. Grey files (PGM, BMP with an all-grey
/// palette) give `.grey` images, the rest `.rgb24`.
public enum ImageFile {
    /// Largest width or height read: keeps a corrupt header from asking for gigabytes.
    static let maximumSide = 16_384

    /// Decodes `bytes`; `path` only names the file in errors.
    public static func read(_ bytes: [UInt8], path: String) throws(MediaFileError) -> Image {
        if hasTag(bytes, 0, "BM") { return try readBMP(bytes, path: path) }
        if hasTag(bytes, 0, "P5") || hasTag(bytes, 0, "P6") { return try readPNM(bytes, path: path) }
        throw .unrecognized(path: path, expected: "a BMP, binary PGM (P5) or binary PPM (P6) image")
    }

    static func validSize(_ width: Int, _ height: Int) -> Bool {
        width > 0 && height > 0 && width <= maximumSide && height <= maximumSide
    }
}
