#if arch(arm64)
import PerchNEON
#endif

/// Widening and loading helpers for the int8 SIMD inner loops. The stdlib's
/// `SIMD16<Int32>(truncatingIfNeeded:)` is not inlined at -O (a call with spills per use);
/// these element loops marked `@inline(__always)` become NEON sxtl/smlal and x86 pmovsx.

@inline(__always)
func widenToInt32(_ v: SIMD16<Int8>) -> SIMD16<Int32> {
    var r = SIMD16<Int32>()
    for i in 0..<16 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
func widenToInt32(_ v: SIMD8<Int8>) -> SIMD8<Int32> {
    var r = SIMD8<Int32>()
    for i in 0..<8 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
func loadInt8x16(_ p: UnsafePointer<Int8>) -> SIMD16<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
}

@inline(__always)
func loadInt8x8(_ p: UnsafePointer<Int8>) -> SIMD8<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int8>.self)
}

@inline(__always)
func loadInt32x16(_ p: UnsafePointer<Int32>) -> SIMD16<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int32>.self)
}

@inline(__always)
func storeInt32x16(_ v: SIMD16<Int32>, _ p: UnsafeMutablePointer<Int32>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Int32>.self)
}

/// Sum of lanes with wrapping adds (the accumulators are int32 modulo 2^32, as in TFLite).
@inline(__always)
func lanesSum(_ v: SIMD16<Int32>) -> Int32 {
    v.wrappedSum()
}

@inline(__always)
func widenToInt64(_ v: SIMD4<Int32>) -> SIMD4<Int64> {
    var r = SIMD4<Int64>()
    for i in 0..<4 { r[i] = Int64(v[i]) }
    return r
}

@inline(__always)
func truncateToInt32(_ v: SIMD4<Int64>) -> SIMD4<Int32> {
    var r = SIMD4<Int32>()
    for i in 0..<4 { r[i] = Int32(truncatingIfNeeded: v[i]) }
    return r
}

@inline(__always)
func truncateToInt8(_ v: SIMD4<Int32>) -> SIMD4<Int8> {
    var r = SIMD4<Int8>()
    for i in 0..<4 { r[i] = Int8(truncatingIfNeeded: v[i]) }
    return r
}

@inline(__always)
func truncateToInt8(_ v: SIMD16<Int32>) -> SIMD16<Int8> {
    var r = SIMD16<Int8>()
    for i in 0..<16 { r[i] = Int8(truncatingIfNeeded: v[i]) }
    return r
}

@inline(__always)
func loadInt32x4(_ p: UnsafePointer<Int32>) -> SIMD4<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Int32>.self)
}

/// TFLite's double-rounding `MultiplyByQuantizedMultiplier` on 4 lanes, bit-exact with
/// the scalar form for shifts in -31...31 and non-negative multipliers (what
/// `QuantizeMultiplier` produces): `x << left`, then SRDHM as `(x·m + 2^30) >> 31` in
/// 64 bits (equal to gemmlowp's truncating division for every input but min·min, which
/// a non-negative multiplier excludes), then a rounding right shift that rounds halves
/// away from zero.
@inline(__always)
func multiplyByQuantizedMultiplier4(_ x: SIMD4<Int32>, multiplier: SIMD4<Int32>, left: SIMD4<Int32>,
                                    right: SIMD4<Int32>, mask: SIMD4<Int32>, half: SIMD4<Int32>) -> SIMD4<Int32> {
    #if arch(arm64)
    // sqrdmulh + srshl: 6 instructions instead of a 64-bit product.
    return perchNEONMultiplyByQuantizedMultiplier(x, multiplier, left, SIMD4<Int32>() &- right)
    #else
    let shifted = x &<< left
    let product = widenToInt64(shifted) &* widenToInt64(multiplier)
    // Bits 31...62 of the rounded product: a logical shift gives the same low 32 bits as an
    // arithmetic one (AVX2 has no 64-bit arithmetic shift).
    let rounded = unsafeBitCast(product &+ SIMD4<Int64>(repeating: 1 << 30), to: SIMD4<UInt64>.self)
    let high = truncateToInt32(unsafeBitCast(rounded &>> 31, to: SIMD4<Int64>.self))
    let remainder = high & mask
    let threshold = half &- (high &>> 31)
    let roundUp = SIMD4<Int32>(repeating: 0).replacing(with: 1, where: remainder .> threshold)
    return (high &>> right) &+ roundUp
    #endif
}

/// `multiplyByQuantizedMultiplier4` on 8 lanes, parameters from a GemmOutputStage at channel `c`.
@inline(__always)
func requantize8(_ acc: SIMD8<Int32>, _ stage: GemmOutputStage, _ c: Int) -> SIMD8<Int32> {
    let lowHalf = multiplyByQuantizedMultiplier4(
        acc.lowHalf, multiplier: loadInt32x4(stage.multipliers + c), left: loadInt32x4(stage.leftShifts + c),
        right: loadInt32x4(stage.rightShifts + c), mask: loadInt32x4(stage.roundingMasks + c),
        half: loadInt32x4(stage.roundingHalves + c))
    let c4 = c &+ 4
    let highHalf = multiplyByQuantizedMultiplier4(
        acc.highHalf, multiplier: loadInt32x4(stage.multipliers + c4), left: loadInt32x4(stage.leftShifts + c4),
        right: loadInt32x4(stage.rightShifts + c4), mask: loadInt32x4(stage.roundingMasks + c4),
        half: loadInt32x4(stage.roundingHalves + c4))
    return SIMD8(lowHalf: lowHalf, highHalf: highHalf)
}

@inline(__always)
func truncateToInt8(_ v: SIMD8<Int32>) -> SIMD8<Int8> {
    var r = SIMD8<Int8>()
    for i in 0..<8 { r[i] = Int8(truncatingIfNeeded: v[i]) }
    return r
}

@inline(__always)
func loadInt32x8(_ p: UnsafePointer<Int32>) -> SIMD8<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int32>.self)
}

@inline(__always)
func loadInt16x8(_ p: UnsafePointer<Int16>) -> SIMD8<Int16> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int16>.self)
}

@inline(__always)
func widenToInt16(_ v: SIMD8<Int8>) -> SIMD8<Int16> {
    var r = SIMD8<Int16>()
    for i in 0..<8 { r[i] = Int16(v[i]) }
    return r
}

/// Public (and inlinable, for host builds) for the frontends' fixed-point filters.
@inlinable @inline(__always)
public func widenToInt32(_ v: SIMD8<Int16>) -> SIMD8<Int32> {
    var r = SIMD8<Int32>()
    for i in 0..<8 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
func widenToInt16(_ v: SIMD16<Int8>) -> SIMD16<Int16> {
    var r = SIMD16<Int16>()
    for i in 0..<16 { r[i] = Int16(v[i]) }
    return r
}

@inline(__always)
func widenToInt32(_ v: SIMD16<Int16>) -> SIMD16<Int32> {
    var r = SIMD16<Int32>()
    for i in 0..<16 { r[i] = Int32(v[i]) }
    return r
}

/// Copies `count` bytes in 16- and 8-byte steps: im2col rows are a few bytes to a few hundred,
/// where a `memcpy` call costs more than the copy.
@inline(__always)
func copyBytes(_ dst: UnsafeMutablePointer<Int8>, _ src: UnsafePointer<Int8>, _ count: Int) {
    var i = 0
    while i &+ 16 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: loadInt8x16(src + i), as: SIMD16<Int8>.self)
        i &+= 16
    }
    if i &+ 8 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: loadInt8x8(src + i), as: SIMD8<Int8>.self)
        i &+= 8
    }
    if i &+ 4 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: UInt32.self),
                                                    as: UInt32.self)
        i &+= 4
    }
    while i < count {
        dst[i] = src[i]
        i &+= 1
    }
}

// The stdlib's `clamped(lowerBound:upperBound:)` is a call to its specialized pointwiseMin/Max
// (not inlined). On x86 that call is still the fastest form measured (element loops and
// `replacing(with:where:)` were 2× slower end to end); on aarch64 smax/smin intrinsics.

@inline(__always)
func clampLanes(_ v: SIMD4<Int32>, _ lo: SIMD4<Int32>, _ hi: SIMD4<Int32>) -> SIMD4<Int32> {
    #if arch(arm64)
    return perchNEONClamp(v, lo, hi)
    #else
    return v.clamped(lowerBound: lo, upperBound: hi)
    #endif
}

@inline(__always)
func clampLanes(_ v: SIMD8<Int32>, _ lo: SIMD8<Int32>, _ hi: SIMD8<Int32>) -> SIMD8<Int32> {
    #if arch(arm64)
    return SIMD8(lowHalf: perchNEONClamp(v.lowHalf, lo.lowHalf, hi.lowHalf),
                 highHalf: perchNEONClamp(v.highHalf, lo.highHalf, hi.highHalf))
    #else
    return v.clamped(lowerBound: lo, upperBound: hi)
    #endif
}

/// Sets `count` bytes to `value` in vector steps (typed `update(repeating:)` is an element
/// loop of value-witness calls in Embedded Swift).
@inline(__always)
func fillBytes(_ dst: UnsafeMutablePointer<Int8>, _ value: Int8, _ count: Int) {
    var i = 0
    let v16 = SIMD16<Int8>(repeating: value)
    while i &+ 16 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: v16, as: SIMD16<Int8>.self)
        i &+= 16
    }
    if i &+ 4 <= count {
        let v4 = UInt32(truncatingIfNeeded: UInt8(bitPattern: value)) &* 0x0101_0101
        while i &+ 4 <= count {
            UnsafeMutableRawPointer(dst + i).storeBytes(of: v4, as: UInt32.self)
            i &+= 4
        }
    }
    while i < count {
        dst[i] = value
        i &+= 1
    }
}
