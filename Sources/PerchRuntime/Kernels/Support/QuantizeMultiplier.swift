/// A real multiplier as TFLite stores it: `multiplier * 2^(shift - 31)`, with the
/// multiplier in [2^30, 2^31) (or 0).
public struct QuantizedMultiplier: Equatable, Sendable {
    public var multiplier: Int32
    /// Power-of-two exponent: positive shifts left, negative right.
    public var shift: Int

    public init(multiplier: Int32, shift: Int) {
        self.multiplier = multiplier
        self.shift = shift
    }

    /// TFLite's `QuantizeMultiplier` (quantization_util.cc, double-rounding build):
    /// `q = frexp(x)`, `round(q * 2^31)` half away from zero, renormalized when it
    /// rounds up to 2^31, flushed to zero below 2^-31.
    public init(_ realMultiplier: Double) {
        if realMultiplier == 0 || !realMultiplier.isFinite {
            self.init(multiplier: 0, shift: 0)
            return
        }
        let (fraction, exponent) = frexp(realMultiplier)
        var qFixed = Int64((fraction * 2147483648.0).rounded(.toNearestOrAwayFromZero))
        var shift = exponent
        if qFixed == (Int64(1) << 31) {
            qFixed /= 2
            shift += 1
        }
        if shift < -31 {
            shift = 0
            qFixed = 0
        }
        self.init(multiplier: Int32(truncatingIfNeeded: qFixed), shift: shift)
    }

    /// Applies the multiplier to `x` with TFLite's double rounding.
    @inline(__always)
    public func apply(_ x: Int32) -> Int32 {
        multiplyByQuantizedMultiplier(x, multiplier, shift)
    }
}

/// C's `frexp` for finite non-zero values: `x = fraction * 2^exponent`, |fraction| in [0.5, 1).
/// Built from the stdlib's exact binade decomposition (no libm in embedded mode).
@inline(__always)
func frexp(_ x: Double) -> (fraction: Double, exponent: Int) {
    if x == 0 || !x.isFinite { return (x, 0) }
    // x.significand is in [1, 2) and x.exponent is exact, subnormals included.
    let fraction = Double(sign: x.sign, exponent: -1, significand: x.significand)
    return (fraction, Int(x.exponent) + 1)
}
