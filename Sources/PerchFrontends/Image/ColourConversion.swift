import PerchMedia

/// Row conversions from a camera/file pixel format to the model's channels (1 = grey,
/// 3 = RGB), in integer arithmetic. Each SIMD kernel has a scalar reference beside it and a
/// test that the two agree bit for bit.
///
/// Grey from RGB is BT.601 luma with weights 77/150/29 (sum 256), so a grey pixel
/// (R = G = B) keeps its value exactly. Grey from YUYV is Y as stored. RGB from YUYV is the
/// BT.601 limited-range inverse (the V4L2 convention for YUYV webcams), 16 pixels per SIMD step.
enum ColourConversion {
    static let lumaR: UInt16 = 77, lumaG: UInt16 = 150, lumaB: UInt16 = 29

    /// Converts `width` pixels of one row.
    static func convertRow(_ src: UnsafePointer<UInt8>, format: PixelFormat, width: Int,
                           channels: Int, into dst: UnsafeMutablePointer<UInt8>) {
        switch (format, channels) {
        case (.rgb24, 3): dst.update(from: src, count: 3 * width)
        case (.grey, 1): dst.update(from: src, count: width)
        case (.rgb24, _): rgbToGrey(src, width: width, into: dst)
        case (.grey, _):
            for x in 0..<width { dst[3 * x] = src[x]; dst[3 * x + 1] = src[x]; dst[3 * x + 2] = src[x] }
        case (.yuyv, 1):
            for x in 0..<width { dst[x] = src[2 * x] }
        case (.yuyv, _): yuyvToRGB(src, width: width, into: dst)
        }
    }

    // MARK: RGB -> grey

    /// A plain loop on purpose: LLVM vectorizes the stride-3 loads itself (ld3 on aarch64,
    /// shuffles on x86). Building SIMD16 lanes element by element from the interleaved row was
    /// measured 14x slower on x86_64 and 1.2x slower on aarch64 (qemu) than this.
    static func rgbToGrey(_ src: UnsafePointer<UInt8>, width: Int, into dst: UnsafeMutablePointer<UInt8>) {
        rgbToGreyReference(src, width: width, into: dst)
    }

    static func rgbToGreyReference(_ src: UnsafePointer<UInt8>, width: Int, into dst: UnsafeMutablePointer<UInt8>) {
        for x in 0..<width {
            let y = UInt16(src[3 * x]) * lumaR + UInt16(src[3 * x + 1]) * lumaG + UInt16(src[3 * x + 2]) * lumaB + 128
            dst[x] = UInt8(truncatingIfNeeded: y >> 8)
        }
    }

    // MARK: YUYV -> RGB

    /// 8 pixel pairs (16 pixels) per SIMD step.
    static func yuyvToRGB(_ src: UnsafePointer<UInt8>, width: Int, into dst: UnsafeMutablePointer<UInt8>) {
        var x = 0
        while x + 16 <= width {
            let p = src + 2 * x
            var y0 = SIMD8<Int32>(), y1 = SIMD8<Int32>(), u = SIMD8<Int32>(), v = SIMD8<Int32>()
            for i in 0..<8 {
                y0[i] = Int32(p[4 * i]); u[i] = Int32(p[4 * i + 1]); y1[i] = Int32(p[4 * i + 2]); v[i] = Int32(p[4 * i + 3])
            }
            let d = u &- 128, e = v &- 128
            let rOff = 409 &* e &+ 128
            let gOff = 128 &- 100 &* d &- 208 &* e
            let bOff = 516 &* d &+ 128
            let c0 = 298 &* (y0 &- 16), c1 = 298 &* (y1 &- 16)
            let r0 = clampByte((c0 &+ rOff) &>> 8), g0 = clampByte((c0 &+ gOff) &>> 8), b0 = clampByte((c0 &+ bOff) &>> 8)
            let r1 = clampByte((c1 &+ rOff) &>> 8), g1 = clampByte((c1 &+ gOff) &>> 8), b1 = clampByte((c1 &+ bOff) &>> 8)
            let q = dst + 3 * x
            for i in 0..<8 {
                q[6 * i] = UInt8(truncatingIfNeeded: r0[i]); q[6 * i + 1] = UInt8(truncatingIfNeeded: g0[i])
                q[6 * i + 2] = UInt8(truncatingIfNeeded: b0[i]); q[6 * i + 3] = UInt8(truncatingIfNeeded: r1[i])
                q[6 * i + 4] = UInt8(truncatingIfNeeded: g1[i]); q[6 * i + 5] = UInt8(truncatingIfNeeded: b1[i])
            }
            x += 16
        }
        yuyvToRGBReference(src + 2 * x, width: width - x, into: dst + 3 * x)
    }

    @inline(__always)
    static func clampByte(_ v: SIMD8<Int32>) -> SIMD8<Int32> {
        v.clamped(lowerBound: SIMD8(repeating: 0), upperBound: SIMD8(repeating: 255))
    }

    static func yuyvToRGBReference(_ src: UnsafePointer<UInt8>, width: Int, into dst: UnsafeMutablePointer<UInt8>) {
        func clamp(_ v: Int32) -> UInt8 { UInt8(max(0, min(255, v))) }
        for x in 0..<width {
            let pair = src + 4 * (x / 2)
            let c = 298 * (Int32(pair[2 * (x & 1)]) - 16)
            let d = Int32(pair[1]) - 128, e = Int32(pair[3]) - 128
            dst[3 * x] = clamp((c + 409 * e + 128) >> 8)
            dst[3 * x + 1] = clamp((c - 100 * d - 208 * e + 128) >> 8)
            dst[3 * x + 2] = clamp((c + 516 * d + 128) >> 8)
        }
    }
}
