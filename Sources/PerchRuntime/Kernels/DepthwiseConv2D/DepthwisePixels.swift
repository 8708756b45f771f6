/// The Swift SIMD pixel loops of DEPTHWISE_CONV_2D's in-image path (`RowKernel.pixels`).

/// One output pixel whose window lies inside the (padded) image, channels 0..<channels (a
/// multiple of 8): raw int8 inputs times int8 taps, the input offset precomputed in
/// `offsets` (bias + offset × Σ taps), 16 channels at a time then 8; two taps summed in
/// int16 before widening (NEON smull + smlal + saddw; x86 vpmullw) when no filter value is
/// -128. Everything is a parameter so the loops keep it in registers.
@inline(__always)
func depthwiseInteriorPixel(origin: UnsafePointer<Int8>, out: UnsafeMutablePointer<Int8>, channels: Int, cout: Int,
                            dm: Int, taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                            offsets: UnsafePointer<Int32>, stage: OutputStageParameters, pairs: Bool) {
    var c = 0
    while c &+ 16 <= channels {
        let pixel = origin + (dm == 1 ? c : c / dm)
        let tap = filter + c
        @inline(__always) func x(_ t: Int) -> SIMD16<Int16> {
            let p = pixel + tapOffsets[t]
            if dm == 1 { return widenToInt16(loadInt8x16(p)) }
            if dm % 16 == 0 { return SIMD16<Int16>(repeating: Int16(p[0])) }
            return SIMD16(lowHalf: SIMD8<Int16>(repeating: Int16(p[0])), highHalf: SIMD8<Int16>(repeating: Int16(p[1])))
        }
        @inline(__always) func w(_ t: Int) -> SIMD16<Int16> { widenToInt16(loadInt8x16(tap + t &* cout)) }
        var acc = loadInt32x16(offsets + c)
        var t = 0
        if pairs {
            while t &+ 2 <= taps {
                acc &+= widenToInt32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
                t &+= 2
            }
        }
        while t < taps {
            acc &+= widenToInt32(x(t) &* w(t))
            t &+= 1
        }
        let low = stage.finish8(acc.lowHalf, c), high = stage.finish8(acc.highHalf, c &+ 8)
        UnsafeMutableRawPointer(out + c).storeBytes(of: SIMD16(lowHalf: low, highHalf: high), as: SIMD16<Int8>.self)
        c &+= 16
    }
    while c < channels {
        let pixel = origin + (dm == 1 ? c : c / dm)
        let tap = filter + c
        @inline(__always) func x(_ t: Int) -> SIMD8<Int16> {
            let p = pixel + tapOffsets[t]
            return dm == 1 ? widenToInt16(loadInt8x8(p)) : SIMD8<Int16>(repeating: Int16(p[0]))
        }
        @inline(__always) func w(_ t: Int) -> SIMD8<Int16> { widenToInt16(loadInt8x8(tap + t &* cout)) }
        var acc = loadInt32x8(offsets + c)
        var t = 0
        if pairs {
            while t &+ 2 <= taps {
                acc &+= widenToInt32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
                t &+= 2
            }
        }
        while t < taps {
            acc &+= widenToInt32(x(t) &* w(t))
            t &+= 1
        }
        UnsafeMutableRawPointer(out + c).storeBytes(of: stage.finish8(acc, c), as: SIMD8<Int8>.self)
        c &+= 8
    }
}

/// Two neighbouring output pixels of an 8-channel depthwise layer in one 16-lane step
/// (lanes 0...7 the first pixel, 8...15 the second), as depthwiseInteriorPixel.
@inline(__always)
func depthwiseTwoPixels8(origin: UnsafePointer<Int8>, pixelStep: Int, out: UnsafeMutablePointer<Int8>, dm: Int,
                         taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                         offsets: UnsafePointer<Int32>, stage: OutputStageParameters, pairs: Bool) {
    let second = origin + pixelStep
    @inline(__always) func x(_ t: Int) -> SIMD16<Int16> {
        let o = tapOffsets[t]
        if dm == 1 {
            return SIMD16(lowHalf: widenToInt16(loadInt8x8(origin + o)), highHalf: widenToInt16(loadInt8x8(second + o)))
        }
        return SIMD16(lowHalf: SIMD8<Int16>(repeating: Int16(origin[o])),
                      highHalf: SIMD8<Int16>(repeating: Int16(second[o])))
    }
    @inline(__always) func w(_ t: Int) -> SIMD16<Int16> {
        let v = widenToInt16(loadInt8x8(filter + t &* 8))
        return SIMD16(lowHalf: v, highHalf: v)
    }
    let bias = loadInt32x8(offsets)
    var acc = SIMD16(lowHalf: bias, highHalf: bias)
    var t = 0
    if pairs {
        while t &+ 2 <= taps {
            acc &+= widenToInt32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
            t &+= 2
        }
    }
    while t < taps {
        acc &+= widenToInt32(x(t) &* w(t))
        t &+= 1
    }
    let low = stage.finish8(acc.lowHalf, 0), high = stage.finish8(acc.highHalf, 0)
    UnsafeMutableRawPointer(out).storeBytes(of: SIMD16(lowHalf: low, highHalf: high), as: SIMD16<Int8>.self)
}
