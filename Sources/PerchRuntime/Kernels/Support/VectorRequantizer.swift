/// One per-tensor `MultiplyByQuantizedMultiplier` (TFLite's double rounding) as vector
/// constants, for the elementwise kernels: 8 lanes per call through the same 4-lane form the
/// GEMM output stages use (`sqrdmulh` + `srshl` on aarch64, 64-bit products on x86), so it
/// is bit-exact with the scalar `multiplyByQuantizedMultiplier` for shifts in -31...31 and
/// non-negative multipliers. `exact` is false otherwise: callers then keep the scalar loop.
struct VectorRequantizer {
    let multiplier: SIMD4<Int32>
    let left: SIMD4<Int32>
    let right: SIMD4<Int32>
    let mask: SIMD4<Int32>
    let half: SIMD4<Int32>
    let exact: Bool

    init(multiplier m: Int32, shift: Int) {
        exact = m >= 0 && shift >= -31 && shift <= 31
        let l = Int32(max(0, min(shift, 31))), r = Int32(max(0, min(-shift, 31)))
        multiplier = SIMD4(repeating: m)
        left = SIMD4(repeating: l)
        right = SIMD4(repeating: r)
        let maskValue = Int32(truncatingIfNeeded: (Int64(1) << Int64(r)) - 1)
        mask = SIMD4(repeating: maskValue)
        half = SIMD4(repeating: maskValue >> 1)
    }

    @inline(__always)
    func apply(_ x: SIMD4<Int32>) -> SIMD4<Int32> {
        multiplyByQuantizedMultiplier4(x, multiplier: multiplier, left: left, right: right, mask: mask, half: half)
    }

    @inline(__always)
    func apply(_ x: SIMD8<Int32>) -> SIMD8<Int32> {
        SIMD8(lowHalf: apply(x.lowHalf), highHalf: apply(x.highHalf))
    }
}

/// Eight int8 elements from `p` widened to int32, or `p[0]` in every lane when `step` is 0
/// (a broadcast input's innermost run).
@inline(__always)
func loadWidened8(_ p: UnsafePointer<Int8>, step: Int) -> SIMD8<Int32> {
    step == 0 ? SIMD8(repeating: Int32(p[0])) : widenToInt32(loadInt8x8(p))
}

/// Clamps 8 lanes to `lo...hi` (within int8) and stores them as bytes.
@inline(__always)
func storeClamped8(_ v: SIMD8<Int32>, _ lo: SIMD8<Int32>, _ hi: SIMD8<Int32>, _ out: UnsafeMutablePointer<Int8>) {
    UnsafeMutableRawPointer(out).storeBytes(of: truncateToInt8(clampLanes(v, lo, hi)), as: SIMD8<Int8>.self)
}
