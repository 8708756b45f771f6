import PerchMedia

/// How the synthetic cameras turn a colour into frame bytes, in every pixel format.
enum FramePixels {
    /// Stores pixel `x` of the row starting at `row`. YUYV pairs share chroma: U is taken
    /// from the even pixel and V from the odd one, enough for a synthetic picture.
    @inline(__always)
    static func store(_ r: UInt8, _ g: UInt8, _ b: UInt8, x: Int, row: Int, format: PixelFormat,
                      into pixels: inout [UInt8]) {
        switch format {
        case .rgb24:
            pixels[row + 3 * x] = r
            pixels[row + 3 * x + 1] = g
            pixels[row + 3 * x + 2] = b
        case .grey:
            pixels[row + x] = TestPattern.luma(r, g, b)
        case .yuyv:
            let (y, u, v) = limitedRangeYUV(r, g, b)
            pixels[row + 2 * x] = y
            pixels[row + 2 * x + 1] = x & 1 == 0 ? u : v
        }
    }

    /// BT.601 limited range (Y 16...235, U and V 16...240) in integers: the inverse of the
    /// conversion V4L2 YUYV cameras are read with.
    static func limitedRangeYUV(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (UInt8, UInt8, UInt8) {
        let r = Int(r), g = Int(g), b = Int(b)
        let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16
        let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128
        let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128
        return (UInt8(y), UInt8(u), UInt8(v))
    }
}
