/// Readers for the still-image formats `perch image tensor` accepts: BMP (8-bit palette,
/// 24-bit, 32-bit; bottom-up or top-down) and binary PGM/PPM (P5/P6). A BMP whose palette
/// is all grey is read as a grey image.
public enum ImageFile {
    public static func read(_ bytes: [UInt8]) throws(FrontendError) -> Image {
        if bytes.count >= 2 && bytes[0] == 0x42 && bytes[1] == 0x4D { return try readBMP(bytes) }
        if bytes.count >= 2 && bytes[0] == 0x50 && (bytes[1] == 0x35 || bytes[1] == 0x36) { return try readPNM(bytes) }
        throw .unsupportedFile("not a BMP, PGM (P5) or PPM (P6) image")
    }

    static func readBMP(_ b: [UInt8]) throws(FrontendError) -> Image {
        func u16(_ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard b.count >= 54 else { throw .unsupportedFile("BMP header truncated") }
        let dataOffset = u32(10)
        let headerSize = u32(14)
        let width = Int(Int32(truncatingIfNeeded: u32(18)))
        let rawHeight = Int(Int32(truncatingIfNeeded: u32(22)))
        let bits = u16(28)
        let compression = u32(30)
        let height = abs(rawHeight)
        guard headerSize >= 40, width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else {
            throw .unsupportedFile("BMP dimensions")
        }
        guard compression == 0 || (compression == 3 && bits == 32) else {
            throw .unsupportedFile("compressed BMP")
        }
        guard bits == 8 || bits == 24 || bits == 32 else { throw .unsupportedFile("BMP bit depth (8, 24, 32 are read)") }
        let stride = (width * bits / 8 + 3) / 4 * 4
        guard dataOffset + stride * height <= b.count else { throw .unsupportedFile("BMP pixel data truncated") }

        var palette: [(r: UInt8, g: UInt8, b: UInt8)] = []
        if bits == 8 {
            var count = u32(46)
            if count == 0 { count = 256 }
            let start = 14 + headerSize
            guard start + 4 * count <= dataOffset else { throw .unsupportedFile("BMP palette") }
            for i in 0..<count { palette.append((b[start + 4 * i + 2], b[start + 4 * i + 1], b[start + 4 * i])) }
            while palette.count < 256 { palette.append((0, 0, 0)) }
        }
        let grey = bits == 8 && palette.allSatisfy { $0.r == $0.g && $0.g == $0.b }
        let format: PixelFormat = grey ? .grey : .rgb24
        let channels = grey ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            // Positive height: rows are stored bottom-up.
            let src = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * stride
            let dst = y * width * channels
            for x in 0..<width {
                switch bits {
                case 8:
                    let entry = palette[Int(b[src + x])]
                    if grey {
                        pixels[dst + x] = entry.g
                    } else {
                        pixels[dst + 3 * x] = entry.r; pixels[dst + 3 * x + 1] = entry.g; pixels[dst + 3 * x + 2] = entry.b
                    }
                default:
                    let p = src + x * (bits / 8)  // stored B, G, R(, A)
                    pixels[dst + 3 * x] = b[p + 2]; pixels[dst + 3 * x + 1] = b[p + 1]; pixels[dst + 3 * x + 2] = b[p]
                }
            }
        }
        return Image(width: width, height: height, format: format, pixels: pixels)
    }

    static func readPNM(_ b: [UInt8]) throws(FrontendError) -> Image {
        let channels = b[1] == 0x35 ? 1 : 3
        var at = 2
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        func number() throws(FrontendError) -> Int {
            // Skip white space and comments, then read digits.
            while at < b.count && (isSpace(b[at]) || b[at] == 0x23) {
                if b[at] == 0x23 { while at < b.count && b[at] != 0x0A { at += 1 } } else { at += 1 }
            }
            var value = 0
            var digits = 0
            while at < b.count && b[at] >= 0x30 && b[at] <= 0x39 && digits < 7 {
                value = value * 10 + Int(b[at] - 0x30)
                at += 1
                digits += 1
            }
            if digits == 0 { throw .unsupportedFile("PNM header") }
            return value
        }
        let width = try number()
        let height = try number()
        let maxValue = try number()
        at += 1  // exactly one white-space byte before the pixels
        guard width > 0, height > 0, width <= 1 << 15, height <= 1 << 15 else { throw .unsupportedFile("PNM dimensions") }
        guard maxValue >= 1 && maxValue <= 255 else { throw .unsupportedFile("PNM with more than 8 bits per sample") }
        let count = width * height * channels
        guard at + count <= b.count else { throw .unsupportedFile("PNM pixel data truncated") }
        var pixels = Array(b[at..<(at + count)])
        if maxValue != 255 {
            for i in 0..<count { pixels[i] = UInt8(min(255, (Int(pixels[i]) * 255 + maxValue / 2) / maxValue)) }
        }
        return Image(width: width, height: height, format: channels == 1 ? .grey : .rgb24, pixels: pixels)
    }
}
