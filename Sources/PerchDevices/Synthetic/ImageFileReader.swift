/// A decoded picture: packed RGB24 rows, top row first.
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixels: [UInt8]
}

/// A minimal reader for the picture files the image-file camera plays: BMP (uncompressed
/// 24/32-bit) and binary PPM (P6) / PGM (P5) with 8-bit samples.
public enum ImageFileReader {
    public static func decode(_ bytes: [UInt8], path: String) throws(DeviceError) -> RGBImage {
        if bytes.count >= 2 && bytes[0] == 0x42 && bytes[1] == 0x4D { return try decodeBMP(bytes, path: path) }
        if bytes.count >= 2 && bytes[0] == 0x50 && (bytes[1] == 0x36 || bytes[1] == 0x35) {
            return try decodePNM(bytes, path: path)
        }
        throw .badFile(path: path, "not a BMP or binary PPM/PGM file")
    }

    static func decodeBMP(_ b: [UInt8], path: String) throws(DeviceError) -> RGBImage {
        guard b.count >= 54 else { throw .badFile(path: path, "BMP header is truncated") }
        let dataOffset = Int(le32(b, 10))
        let width = Int(Int32(bitPattern: le32(b, 18)))
        let rawHeight = Int(Int32(bitPattern: le32(b, 22)))
        let bits = Int(le16(b, 28))
        let compression = le32(b, 30)
        // 0 = BI_RGB; 3 = BI_BITFIELDS, accepted for 32-bit files in the usual BGRA order.
        guard compression == 0 || (compression == 3 && bits == 32) else {
            throw .badFile(path: path, "compressed BMP (method " + String(compression) + ") is not supported")
        }
        guard bits == 24 || bits == 32 else {
            throw .badFile(path: path, String(bits) + "-bit BMP is not supported (24 or 32 only)")
        }
        let height = abs(rawHeight)
        guard width > 0, height > 0, width <= 16384, height <= 16384 else { throw .badFile(path: path, "bad BMP size") }
        let bytesPerPixel = bits / 8
        let stride = (width * bytesPerPixel + 3) & ~3
        guard dataOffset >= 54, dataOffset + stride * height <= b.count else {
            throw .badFile(path: path, "BMP pixel data is truncated")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            // Positive height: rows are stored bottom-up.
            let sourceRow = rawHeight > 0 ? height - 1 - y : y
            let from = dataOffset + sourceRow * stride
            for x in 0..<width {
                let p = from + x * bytesPerPixel
                let q = (y * width + x) * 3
                pixels[q] = b[p + 2]
                pixels[q + 1] = b[p + 1]
                pixels[q + 2] = b[p]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func decodePNM(_ b: [UInt8], path: String) throws(DeviceError) -> RGBImage {
        let grey = b[1] == 0x35
        var position = 2
        var fields: [Int] = []
        // Header: width, height, maxval as whitespace-separated decimals; '#' starts a comment.
        while fields.count < 3 {
            while position < b.count && (isSpace(b[position]) || b[position] == 0x23) {
                if b[position] == 0x23 {
                    while position < b.count && b[position] != 0x0A { position += 1 }
                } else {
                    position += 1
                }
            }
            var value = 0, digits = 0
            while position < b.count, b[position] >= 0x30, b[position] <= 0x39, digits < 6 {
                value = value * 10 + Int(b[position] - 0x30)
                position += 1
                digits += 1
            }
            guard digits > 0 else { throw .badFile(path: path, "bad PPM/PGM header") }
            fields.append(value)
        }
        position += 1  // the single whitespace byte before the samples
        let width = fields[0], height = fields[1], maxValue = fields[2]
        guard width > 0, height > 0, maxValue > 0, maxValue < 256 else {
            throw .badFile(path: path, "only 8-bit PPM/PGM files with a positive size are supported")
        }
        let channels = grey ? 1 : 3
        guard position + width * height * channels <= b.count else { throw .badFile(path: path, "PPM/PGM data is truncated") }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            for c in 0..<3 {
                let sample = Int(b[position + i * channels + (grey ? 0 : c)])
                pixels[i * 3 + c] = UInt8(sample * 255 / maxValue)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}

@inline(__always) func le16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
@inline(__always) func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}
