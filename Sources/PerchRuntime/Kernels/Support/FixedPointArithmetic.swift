/// Integer requantization primitives, bit-exact with gemmlowp's `fixedpoint.h` and
/// TFLite's double-rounding `MultiplyByQuantizedMultiplier` (common.cc, the
/// `TFLITE_SINGLE_ROUNDING == 0` branch that TFLite Micro's reference kernels use).
///
/// C's signed overflow is undefined; where TFLite relies on the hardware wrapping
/// (`x * (1 << shift)`, accumulator sums) these use wrapping operators so nothing traps.

/// `(a * b * 2) >> 32` rounded to nearest, saturating the single overflow case
/// (INT32_MIN * INT32_MIN). Equivalent to NEON `vqrdmulh`.
@inline(__always)
public func saturatingRoundingDoublingHighMul(_ a: Int32, _ b: Int32) -> Int32 {
    if a == b && a == Int32.min { return Int32.max }
    let product = Int64(a) &* Int64(b)
    let nudge: Int64 = product >= 0 ? (1 << 30) : (1 - (1 << 30))
    // C's `/` truncates toward zero, as Swift's does.
    return Int32(truncatingIfNeeded: (product &+ nudge) / (1 << 31))
}

/// Division by 2^exponent rounding half away from zero (gemmlowp `RoundingDivideByPOT`).
/// `exponent` is 0...31 in every TFLite use; larger values are computed in 64 bits
/// instead of trapping.
@inline(__always)
public func roundingDivideByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    if exponent <= 0 { return x }
    if exponent > 31 {
        // Outside gemmlowp's contract (undefined there); |x| / 2^32 < 1/2 rounds to 0.
        return 0
    }
    let mask = Int32(truncatingIfNeeded: (Int64(1) << exponent) - 1)
    let remainder = x & mask
    let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
    return (x >> Int32(exponent)) &+ (remainder > threshold ? 1 : 0)
}

/// `x * multiplier * 2^shift` with TFLite's double rounding: a left shift (wrapping, as
/// C does in practice), then `SaturatingRoundingDoublingHighMul`, then a rounding right shift.
@inline(__always)
public func multiplyByQuantizedMultiplier(_ x: Int32, _ multiplier: Int32, _ shift: Int) -> Int32 {
    let leftShift = shift > 0 ? shift : 0
    let rightShift = shift > 0 ? 0 : -shift
    let shifted = leftShift == 0 ? x : x &<< Int32(truncatingIfNeeded: leftShift)
    return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), rightShift)
}

/// TFLite's `MultiplyByQuantizedMultiplierSmallerThanOneExp`: `shift` <= 0.
@inline(__always)
public func multiplyByQuantizedMultiplierSmallerThanOne(_ x: Int32, _ multiplier: Int32, _ shift: Int) -> Int32 {
    roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift)
}

/// TFLite's `MultiplyByQuantizedMultiplierGreaterThanOne`: `leftShift` >= 0.
@inline(__always)
public func multiplyByQuantizedMultiplierGreaterThanOne(_ x: Int32, _ multiplier: Int32, _ leftShift: Int) -> Int32 {
    saturatingRoundingDoublingHighMul(x &<< Int32(truncatingIfNeeded: leftShift), multiplier)
}

/// gemmlowp `SaturatingRoundingMultiplyByPOT<exponent>`: a saturating left shift for a
/// positive exponent, a rounding right shift for a negative one.
@inline(__always)
public func saturatingRoundingMultiplyByPOT(_ x: Int32, _ exponent: Int) -> Int32 {
    if exponent == 0 { return x }
    if exponent < 0 { return roundingDivideByPOT(x, -exponent) }
    let threshold = Int32(truncatingIfNeeded: (Int64(1) << (31 - exponent)) - 1)
    if x > threshold { return Int32.max }
    if x < -threshold { return Int32.min }
    return x &<< Int32(exponent)
}

/// gemmlowp `RoundingHalfSum` for int32: (a + b) / 2 rounded away from zero.
@inline(__always)
public func roundingHalfSum(_ a: Int32, _ b: Int32) -> Int32 {
    let sum = Int64(a) + Int64(b)
    let sign: Int64 = sum >= 0 ? 1 : -1
    return Int32(truncatingIfNeeded: (sum + sign) / 2)
}

/// Leading zero bits of a 32-bit value (32 for zero), as TFLite's `CountLeadingZeros`.
@inline(__always)
public func countLeadingZeros32(_ x: UInt32) -> Int { x.leadingZeroBitCount }

/// Clamps and narrows to Int8.
@inline(__always)
func clampToInt8(_ x: Int32, _ lo: Int32, _ hi: Int32) -> Int8 {
    Int8(truncatingIfNeeded: min(max(x, lo), hi))
}
