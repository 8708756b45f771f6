extension ImageFile {
    /// Uncompressed BMP with a BITMAPINFOHEADER or later header. BI_BITFIELDS is accepted
    /// for 32-bit files, read in the usual B, G, R, A order.
    static func readBMP(_ b: [UInt8], path: String) throws(MediaFileError) -> Image {
        guard b.count >= 54 else { throw .truncated(path: path, what: "BMP header") }
        let dataOffset = le32(b, 10)
        let headerSize = le32(b, 14)
        let width = le32Signed(b, 18)
        let rawHeight = le32Signed(b, 22)
        let bits = le16(b, 28)
        let compression = le32(b, 30)
        let height = abs(rawHeight)
        guard headerSize >= 40 else {
            throw .unsupported(path: path, what: "BMP header of " + String(headerSize) + " bytes (OS/2 BMP)")
        }
        guard compression == 0 || (compression == 3 && bits == 32) else {
            throw .unsupported(path: path, what: "compressed BMP (method " + String(compression) + ")")
        }
        guard bits == 8 || bits == 24 || bits == 32 else {
            throw .unsupported(path: path, what: String(bits) + "-bit BMP (8, 24 and 32 are read)")
        }
        guard validSize(width, height) else {
            throw .malformed(path: path, what: "BMP size " + String(width) + "x" + String(rawHeight))
        }
        guard dataOffset >= 14 + headerSize else { throw .malformed(path: path, what: "BMP pixel data overlaps its header") }
        let stride = (width * bits / 8 + 3) / 4 * 4
        guard dataOffset + stride * height <= b.count else { throw .truncated(path: path, what: "BMP pixel data") }

        let palette = bits == 8 ? try readPalette(b, headerSize: headerSize, dataOffset: dataOffset, path: path) : []
        let grey = bits == 8 && palette.allSatisfy { $0.r == $0.g && $0.g == $0.b }
        let format: PixelFormat = grey ? .grey : .rgb24
        let rowBytes = format.rowBytes(width: width)
        var pixels = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            // Positive height: rows are stored bottom-up.
            let src = dataOffset + (rawHeight > 0 ? height - 1 - y : y) * stride
            let dst = y * rowBytes
            for x in 0..<width {
                if bits == 8 {
                    let entry = palette[Int(b[src + x])]
                    if grey {
                        pixels[dst + x] = entry.g
                    } else {
                        pixels[dst + 3 * x] = entry.r; pixels[dst + 3 * x + 1] = entry.g; pixels[dst + 3 * x + 2] = entry.b
                    }
                } else {
                    let p = src + x * (bits / 8)  // stored B, G, R(, A)
                    pixels[dst + 3 * x] = b[p + 2]; pixels[dst + 3 * x + 1] = b[p + 1]; pixels[dst + 3 * x + 2] = b[p]
                }
            }
        }
        return Image(width: width, height: height, format: format, pixels: pixels)
    }

    /// The colour table of an 8-bit BMP, padded to 256 entries so any index is valid.
    private static func readPalette(_ b: [UInt8], headerSize: Int, dataOffset: Int,
                                    path: String) throws(MediaFileError) -> [(r: UInt8, g: UInt8, b: UInt8)] {
        let declared = le32(b, 46)
        let count = declared == 0 ? 256 : declared
        let start = 14 + headerSize
        guard count <= 256, start + 4 * count <= dataOffset else {
            throw .malformed(path: path, what: "BMP palette of " + String(count) + " colours")
        }
        var palette: [(r: UInt8, g: UInt8, b: UInt8)] = []
        palette.reserveCapacity(256)
        for i in 0..<count { palette.append((b[start + 4 * i + 2], b[start + 4 * i + 1], b[start + 4 * i])) }
        while palette.count < 256 { palette.append((0, 0, 0)) }
        return palette
    }
}
