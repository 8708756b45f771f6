/// The aarch64 GEMM micro-kernel without the dot-product extension (Cortex-A72 /
/// Raspberry Pi 4): `smull` + `smlal2` into int16 pairs, `sadalp` into int32 lanes.
/// Baseline Armv8 NEON, so it runs on every aarch64 CPU; a module of its own so the runtime
/// stays plain Swift.
///
/// Tile: 4 activation rows × 4 channels. Per 16 depths: 4 row loads, 4 weight loads and
/// 16 × (smull, smlal2, sadalp) = 56 instructions for 256 MACs. Two int8 products fit an
/// int16 sum unless both are (-128)·(-128); when a weight is -128 (`pairsFitInt16` false)
/// each half gets its own `sadalp` (smull, smull2, sadalp, sadalp).
/// Weights (PackedWeights, `.widening` layout): per panel of 4 channels, blocks of 16
/// depths (a last block of 8), channel-major inside a block.
/// Output stage as in PerchSDot: `vqrdmulhq_s32` + the sign-fixed rounding shift.

#if arch(arm64)
import _Builtin_intrinsics.arm.neon

public let perchNEONAvailable = true

/// Lane-wise maximum and minimum of bytes (smax, smin), for MAX_POOL_2D.
@inlinable @inline(__always)
public func perchNEONMax(_ a: SIMD16<Int8>, _ b: SIMD16<Int8>) -> SIMD16<Int8> { vmaxq_s8(a, b) }

@inlinable @inline(__always)
public func perchNEONMin(_ a: SIMD16<Int8>, _ b: SIMD16<Int8>) -> SIMD16<Int8> { vminq_s8(a, b) }

/// Lane-wise clamp (smax, smin); the stdlib's `clamped` is an out-of-line call.
@inlinable @inline(__always)
public func perchNEONClamp(_ v: SIMD4<Int32>, _ lo: SIMD4<Int32>, _ hi: SIMD4<Int32>) -> SIMD4<Int32> {
    vminq_s32(vmaxq_s32(v, lo), hi)
}

/// TFLite's double-rounding MultiplyByQuantizedMultiplier on 4 lanes the way its NEON
/// kernels do it (`vqrdmulhq_s32`, then a rounding shift with the sign fix-up), for the
/// runtime's vector output stages on aarch64. `negRight` is minus the right shift.
@inlinable @inline(__always)
public func perchNEONMultiplyByQuantizedMultiplier(_ x: SIMD4<Int32>, _ multiplier: SIMD4<Int32>,
                                                   _ left: SIMD4<Int32>, _ negRight: SIMD4<Int32>) -> SIMD4<Int32> {
    let v = vqrdmulhq_s32(vshlq_s32(x, left), multiplier)
    let fixup = (v & negRight) &>> 31
    return vrshlq_s32(vqaddq_s32(v, fixup), negRight)
}

/// The same rounding when every channel shifts right by 1...31 and none left
/// (`GemmOutputStage.rightShiftsOnly`, the usual case: multipliers below 1/2): no left shift,
/// and the fix-up is one `ssra`. It adds -1 to negative values as the `sqadd` above does;
/// the two differ only when the sum saturates, and `vqrdmulhq_s32` by a multiplier in
/// [0, 2^31) never returns -2^31.
@inlinable @inline(__always)
public func perchNEONMultiplyByQuantizedMultiplierRightShift(_ x: SIMD4<Int32>, _ multiplier: SIMD4<Int32>,
                                                             _ negRight: SIMD4<Int32>) -> SIMD4<Int32> {
    let v = vqrdmulhq_s32(x, multiplier)
    return vrshlq_s32(v &+ (v &>> 31), negRight)
}

/// Eight requantized lanes to output bytes: saturating narrows to int16, the zero point added
/// in int16 with saturation, a saturating narrow to int8, then the activation clamp on bytes.
/// Equal to clamp(v + zp, lo, hi) in int32: every step is monotone, the zero point and the
/// clamp bounds are int8, so a value saturated at ±32767 stays beyond the int8 range after
/// the zero point, and values inside it are exact (TFLite's NEON kernels do the same).
@inlinable @inline(__always)
public func perchNEONNarrowToBytes(_ low: SIMD4<Int32>, _ high: SIMD4<Int32>, _ zp: SIMD8<Int16>,
                                   _ lo: SIMD8<Int8>, _ hi: SIMD8<Int8>) -> SIMD8<Int8> {
    let h = vqaddq_s16(vcombine_s16(vqmovn_s32(low), vqmovn_s32(high)), zp)
    return vmin_s8(vmax_s8(vqmovn_s16(h), lo), hi)
}

@inline(__always)
private func load16(_ p: UnsafePointer<Int8>) -> SIMD16<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
}

@inline(__always)
private func load8(_ p: UnsafePointer<Int8>) -> SIMD8<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int8>.self)
}

@inline(__always)
private func load4(_ p: UnsafePointer<Int32>) -> SIMD4<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Int32>.self)
}

@inline(__always)
private func mac16(_ acc: SIMD4<Int32>, _ a: SIMD16<Int8>, _ w: SIMD16<Int8>, _ fused: Bool) -> SIMD4<Int32> {
    if fused {
        return vpadalq_s16(acc, vmlal_high_s8(vmull_s8(vget_low_s8(a), vget_low_s8(w)), a, w))
    }
    return vpadalq_s16(vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(w))), vmull_high_s8(a, w))
}

@inline(__always)
private func mac8(_ acc: SIMD4<Int32>, _ a: SIMD8<Int8>, _ w: SIMD8<Int8>) -> SIMD4<Int32> {
    vpadalq_s16(acc, vmull_s8(a, w))
}

@inline(__always)
private func requantize(_ acc: SIMD4<Int32>, _ rowOffset: Int32, _ offset: SIMD4<Int32>, _ multiplier: SIMD4<Int32>,
                        _ left: SIMD4<Int32>, _ negRight: SIMD4<Int32>, _ zp: SIMD4<Int32>,
                        _ lo: SIMD4<Int32>, _ hi: SIMD4<Int32>) -> SIMD4<Int16> {
    var x = acc &+ offset &+ SIMD4<Int32>(repeating: rowOffset)
    x = vshlq_s32(x, left)
    x = vqrdmulhq_s32(x, multiplier)
    let fixup = (x & negRight) &>> 31
    x = vrshlq_s32(vqaddq_s32(x, fixup), negRight)
    x = vminq_s32(vmaxq_s32(x &+ zp, lo), hi)
    return vmovn_s32(x)
}

@inline(__always)
private func tile(_ rows: UnsafePointer<UnsafePointer<Int8>>, _ rowCount: Int, _ kPadded: Int,
                  _ weights: UnsafePointer<Int8>, _ panels: Int, _ n: Int,
                  _ table: UnsafePointer<Int32>, _ stride: Int, _ rowOffsets: UnsafePointer<Int32>,
                  _ outputZeroPoint: Int32, _ min: Int32, _ max: Int32,
                  _ out: UnsafeMutablePointer<Int8>, _ ldc: Int, fused: Bool, simpleStage: Bool,
                  fourRows: Bool) {
    let a0 = rows[0], a1 = rows[1], a2 = rows[2], a3 = rows[3]
    let zp = SIMD4<Int32>(repeating: outputZeroPoint)
    let lo = SIMD4<Int32>(repeating: min), hi = SIMD4<Int32>(repeating: max)
    let zp16 = SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: outputZeroPoint))
    let lo8 = SIMD8<Int8>(repeating: Int8(truncatingIfNeeded: min)), hi8 = SIMD8<Int8>(repeating: Int8(truncatingIfNeeded: max))
    var w = weights
    for p in 0..<panels {
        var c00 = SIMD4<Int32>(), c01 = SIMD4<Int32>(), c02 = SIMD4<Int32>(), c03 = SIMD4<Int32>()
        var c10 = SIMD4<Int32>(), c11 = SIMD4<Int32>(), c12 = SIMD4<Int32>(), c13 = SIMD4<Int32>()
        var c20 = SIMD4<Int32>(), c21 = SIMD4<Int32>(), c22 = SIMD4<Int32>(), c23 = SIMD4<Int32>()
        var c30 = SIMD4<Int32>(), c31 = SIMD4<Int32>(), c32 = SIMD4<Int32>(), c33 = SIMD4<Int32>()
        var k = 0
        while k &+ 16 <= kPadded {
            let w0 = load16(w), w1 = load16(w + 16), w2 = load16(w + 32), w3 = load16(w + 48)
            let x0 = load16(a0 + k)
            c00 = mac16(c00, x0, w0, fused); c01 = mac16(c01, x0, w1, fused)
            c02 = mac16(c02, x0, w2, fused); c03 = mac16(c03, x0, w3, fused)
            if !fourRows { w += 64; k &+= 16; continue }
            let x1 = load16(a1 + k)
            c10 = mac16(c10, x1, w0, fused); c11 = mac16(c11, x1, w1, fused)
            c12 = mac16(c12, x1, w2, fused); c13 = mac16(c13, x1, w3, fused)
            let x2 = load16(a2 + k)
            c20 = mac16(c20, x2, w0, fused); c21 = mac16(c21, x2, w1, fused)
            c22 = mac16(c22, x2, w2, fused); c23 = mac16(c23, x2, w3, fused)
            let x3 = load16(a3 + k)
            c30 = mac16(c30, x3, w0, fused); c31 = mac16(c31, x3, w1, fused)
            c32 = mac16(c32, x3, w2, fused); c33 = mac16(c33, x3, w3, fused)
            w += 64
            k &+= 16
        }
        if k < kPadded {
            let w0 = load8(w), w1 = load8(w + 8), w2 = load8(w + 16), w3 = load8(w + 24)
            let x0 = load8(a0 + k), x1 = load8(a1 + k), x2 = load8(a2 + k), x3 = load8(a3 + k)
            c00 = mac8(c00, x0, w0); c01 = mac8(c01, x0, w1); c02 = mac8(c02, x0, w2); c03 = mac8(c03, x0, w3)
            if fourRows {
                c10 = mac8(c10, x1, w0); c11 = mac8(c11, x1, w1); c12 = mac8(c12, x1, w2); c13 = mac8(c13, x1, w3)
                c20 = mac8(c20, x2, w0); c21 = mac8(c21, x2, w1); c22 = mac8(c22, x2, w2); c23 = mac8(c23, x2, w3)
                c30 = mac8(c30, x3, w0); c31 = mac8(c31, x3, w1); c32 = mac8(c32, x3, w2); c33 = mac8(c33, x3, w3)
            }
            w += 32
        }
        let n0 = p &* 4
        let offset = load4(table + n0), multiplier = load4(table + (stride &+ n0))
        let left = load4(table + (2 &* stride &+ n0)), negRight = load4(table + (4 &* stride &+ n0))
        let valid = n &- n0
        @inline(__always) func store(_ r: Int, _ s0: SIMD4<Int32>, _ s1: SIMD4<Int32>, _ s2: SIMD4<Int32>,
                                     _ s3: SIMD4<Int32>) {
            let sums = vpaddq_s32(vpaddq_s32(s0, s1), vpaddq_s32(s2, s3))
            let bytes: SIMD8<Int8>
            if simpleStage {
                let v = perchNEONMultiplyByQuantizedMultiplierRightShift(sums &+ offset, multiplier, negRight)
                bytes = perchNEONNarrowToBytes(v, v, zp16, lo8, hi8)
            } else {
                let h = requantize(sums, rowOffsets[r], offset, multiplier, left, negRight, zp, lo, hi)
                bytes = vmovn_s16(vcombine_s16(h, h))
            }
            let dst = out + (r &* ldc &+ n0)
            if valid >= 4 {
                UnsafeMutableRawPointer(dst).storeBytes(of: bytes.lowHalf, as: SIMD4<Int8>.self)
            } else {
                for j in 0..<valid { dst[j] = bytes[j] }
            }
        }
        store(0, c00, c01, c02, c03)
        guard fourRows else { continue }
        if rowCount > 1 { store(1, c10, c11, c12, c13) }
        if rowCount > 2 { store(2, c20, c21, c22, c23) }
        if rowCount > 3 { store(3, c30, c31, c32, c33) }
    }
}

/// One output row of a depthwise convolution whose windows all lie in the
/// (zero-point-padded) input, 8 channels at a time (`channels` a multiple of 8): per tap
/// `smull` of raw int8 inputs and weights, the next tap's `smlal` into the same int16 lanes
/// (`pairs`: no -128 in the filter), `saddw`/`saddw2` into int32 accumulators that start at
/// `offsets` (bias + input offset × Σ taps); then the NEON output stage, saturating narrows
/// and the activation clamp on bytes. `broadcastInput`: one input channel feeds all 8 lanes
/// (a depth multiplier of 8 on one input channel); otherwise the depth multiplier is 1.
/// `rightShiftsOnly` (`GemmOutputStage.rightShiftsOnly`): 3×3 windows take the output stage's
/// short form.
public func perchNEONDepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                  out: UnsafeMutablePointer<Int8>, channels: Int, broadcastInput: Bool, taps: Int,
                                  tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                                  offsets: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                                  outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool,
                                  rightShiftsOnly: Bool) {
    switch (broadcastInput, rightShiftsOnly) {
    case (true, true):
        depthwiseRow(origin, pixelStep, pixels, out, channels, true, taps, tapOffsets, filter, offsets, table,
                     stride, outputZeroPoint, min, max, pairs, rightShiftsOnly: true)
    case (true, false):
        depthwiseRow(origin, pixelStep, pixels, out, channels, true, taps, tapOffsets, filter, offsets, table,
                     stride, outputZeroPoint, min, max, pairs, rightShiftsOnly: false)
    case (false, true):
        depthwiseRow(origin, pixelStep, pixels, out, channels, false, taps, tapOffsets, filter, offsets, table,
                     stride, outputZeroPoint, min, max, pairs, rightShiftsOnly: true)
    case (false, false):
        depthwiseRow(origin, pixelStep, pixels, out, channels, false, taps, tapOffsets, filter, offsets, table,
                     stride, outputZeroPoint, min, max, pairs, rightShiftsOnly: false)
    }
}

@inline(__always)
private func depthwiseRow(_ origin: UnsafePointer<Int8>, _ pixelStep: Int, _ pixels: Int,
                          _ out: UnsafeMutablePointer<Int8>, _ channels: Int, _ broadcastInput: Bool, _ taps: Int,
                          _ tapOffsets: UnsafePointer<Int>, _ filter: UnsafePointer<Int8>,
                          _ offsets: UnsafePointer<Int32>, _ table: UnsafePointer<Int32>, _ stride: Int,
                          _ outputZeroPoint: Int32, _ min: Int32, _ max: Int32, _ pairs: Bool,
                          rightShiftsOnly: Bool) {
    let zp = SIMD4<Int32>(repeating: outputZeroPoint)
    let zp16 = SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: outputZeroPoint))
    let lo = SIMD8<Int8>(repeating: Int8(truncatingIfNeeded: min)), hi = SIMD8<Int8>(repeating: Int8(truncatingIfNeeded: max))
    if taps == 9 && pairs {
        // 3×3 windows: per block of 8 channels the 9 taps' weights, offsets and output stage
        // stay in registers across the row; the taps are unrolled.
        let o0 = tapOffsets[0], o1 = tapOffsets[1], o2 = tapOffsets[2], o3 = tapOffsets[3], o4 = tapOffsets[4]
        let o5 = tapOffsets[5], o6 = tapOffsets[6], o7 = tapOffsets[7], o8 = tapOffsets[8]
        var c = 0
        if rightShiftsOnly && !broadcastInput {
            depthwise3x3Rows16(origin, pixelStep, pixels, out, channels, (o0, o1, o2, o3, o4, o5, o6, o7, o8),
                               filter, offsets, table, stride, outputZeroPoint, min, max, &c)
        }
        while c < channels {
            let w = filter + c
            let w0 = load8(w), w1 = load8(w + channels), w2 = load8(w + 2 &* channels)
            let w3 = load8(w + 3 &* channels), w4 = load8(w + 4 &* channels), w5 = load8(w + 5 &* channels)
            let w6 = load8(w + 6 &* channels), w7 = load8(w + 7 &* channels), w8 = load8(w + 8 &* channels)
            let b0 = load4(offsets + c), b1 = load4(offsets + (c &+ 4))
            let m0 = load4(table + (stride &+ c)), m1 = load4(table + (stride &+ c &+ 4))
            let l0 = load4(table + (2 &* stride &+ c)), l1 = load4(table + (2 &* stride &+ c &+ 4))
            let r0 = load4(table + (4 &* stride &+ c)), r1 = load4(table + (4 &* stride &+ c &+ 4))
            var src = origin + (broadcastInput ? 0 : c)
            var dst = out + c
            for _ in 0..<pixels {
                @inline(__always) func x(_ o: Int) -> SIMD8<Int8> {
                    broadcastInput ? SIMD8<Int8>(repeating: src[o]) : load8(src + o)
                }
                let p0 = vmlal_s8(vmull_s8(x(o0), w0), x(o1), w1)
                let p1 = vmlal_s8(vmull_s8(x(o2), w2), x(o3), w3)
                let p2 = vmlal_s8(vmull_s8(x(o4), w4), x(o5), w5)
                let p3 = vmlal_s8(vmull_s8(x(o6), w6), x(o7), w7)
                let p4 = vmull_s8(x(o8), w8)
                var a0 = vaddw_s16(vaddw_s16(b0, vget_low_s16(p0)), vget_low_s16(p1))
                var a1 = vaddw_high_s16(vaddw_high_s16(b1, p0), p1)
                a0 = vaddw_s16(vaddw_s16(vaddw_s16(a0, vget_low_s16(p2)), vget_low_s16(p3)), vget_low_s16(p4))
                a1 = vaddw_high_s16(vaddw_high_s16(vaddw_high_s16(a1, p2), p3), p4)
                let bytes: SIMD8<Int8>
                if rightShiftsOnly {
                    bytes = perchNEONNarrowToBytes(perchNEONMultiplyByQuantizedMultiplierRightShift(a0, m0, r0),
                                                   perchNEONMultiplyByQuantizedMultiplierRightShift(a1, m1, r1),
                                                   zp16, lo, hi)
                } else {
                    let h0 = vqmovn_s32(perchNEONMultiplyByQuantizedMultiplier(a0, m0, l0, r0) &+ zp)
                    let h1 = vqmovn_s32(perchNEONMultiplyByQuantizedMultiplier(a1, m1, l1, r1) &+ zp)
                    bytes = vmin_s8(vmax_s8(vqmovn_s16(vcombine_s16(h0, h1)), lo), hi)
                }
                UnsafeMutableRawPointer(dst).storeBytes(of: bytes, as: SIMD8<Int8>.self)
                src += pixelStep
                dst += channels
            }
            c &+= 8
        }
        return
    }
    var pixel = origin
    var dst = out
    for _ in 0..<pixels {
        var c = 0
        while c < channels {
            let src = pixel + (broadcastInput ? 0 : c)
            let w = filter + c
            @inline(__always) func x(_ t: Int) -> SIMD8<Int8> {
                let p = src + tapOffsets[t]
                return broadcastInput ? SIMD8<Int8>(repeating: p[0]) : load8(p)
            }
            var a0 = load4(offsets + c), a1 = load4(offsets + (c &+ 4))
            var t = 0
            if pairs {
                while t &+ 2 <= taps {
                    let p = vmlal_s8(vmull_s8(x(t), load8(w + t &* channels)), x(t &+ 1), load8(w + (t &+ 1) &* channels))
                    a0 = vaddw_s16(a0, vget_low_s16(p)); a1 = vaddw_high_s16(a1, p)
                    t &+= 2
                }
            }
            while t < taps {
                let p = vmull_s8(x(t), load8(w + t &* channels))
                a0 = vaddw_s16(a0, vget_low_s16(p)); a1 = vaddw_high_s16(a1, p)
                t &+= 1
            }
            @inline(__always) func half(_ a: SIMD4<Int32>, _ c: Int) -> SIMD4<Int16> {
                let v = perchNEONMultiplyByQuantizedMultiplier(a, load4(table + (stride &+ c)), load4(table + (2 &* stride &+ c)),
                                                               load4(table + (4 &* stride &+ c)))
                return vqmovn_s32(v &+ zp)
            }
            let bytes = vmin_s8(vmax_s8(vqmovn_s16(vcombine_s16(half(a0, c), half(a1, c &+ 4))), lo), hi)
            UnsafeMutableRawPointer(dst + c).storeBytes(of: bytes, as: SIMD8<Int8>.self)
            c &+= 8
        }
        pixel += pixelStep
        dst += channels
    }
}

/// The 3×3 depth-multiplier-1 row with the short output stage, 16 channels per step (one
/// 16-byte load per tap where the 8-channel loop makes two 8-byte ones, and half the loop
/// overhead), for every whole block of 16 channels from `c` on; `c` ends at the first channel
/// it did not do. Arithmetic as the 8-channel loop: a tap pair's products summed in int16
/// (no -128 in the filter), then widened into int32 accumulators that start at `offsets`.
@inline(__always)
private func depthwise3x3Rows16(_ origin: UnsafePointer<Int8>, _ pixelStep: Int, _ pixels: Int,
                                _ out: UnsafeMutablePointer<Int8>, _ channels: Int,
                                _ o: (Int, Int, Int, Int, Int, Int, Int, Int, Int),
                                _ filter: UnsafePointer<Int8>, _ offsets: UnsafePointer<Int32>,
                                _ table: UnsafePointer<Int32>, _ stride: Int,
                                _ outputZeroPoint: Int32, _ min: Int32, _ max: Int32, _ c: inout Int) {
    let zp = SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: outputZeroPoint))
    let lo = SIMD16<Int8>(repeating: Int8(truncatingIfNeeded: min)), hi = SIMD16<Int8>(repeating: Int8(truncatingIfNeeded: max))
    @inline(__always) func pairLow(_ xa: SIMD16<Int8>, _ wa: SIMD16<Int8>, _ xb: SIMD16<Int8>, _ wb: SIMD16<Int8>) -> SIMD8<Int16> {
        vmlal_s8(vmull_s8(vget_low_s8(xa), vget_low_s8(wa)), vget_low_s8(xb), vget_low_s8(wb))
    }
    @inline(__always) func pairHigh(_ xa: SIMD16<Int8>, _ wa: SIMD16<Int8>, _ xb: SIMD16<Int8>, _ wb: SIMD16<Int8>) -> SIMD8<Int16> {
        vmlal_high_s8(vmull_high_s8(xa, wa), xb, wb)
    }
    while c &+ 16 <= channels {
        let w = filter + c
        let w0 = load16(w), w1 = load16(w + channels), w2 = load16(w + 2 &* channels)
        let w3 = load16(w + 3 &* channels), w4 = load16(w + 4 &* channels), w5 = load16(w + 5 &* channels)
        let w6 = load16(w + 6 &* channels), w7 = load16(w + 7 &* channels), w8 = load16(w + 8 &* channels)
        let b0 = load4(offsets + c), b1 = load4(offsets + (c &+ 4))
        let b2 = load4(offsets + (c &+ 8)), b3 = load4(offsets + (c &+ 12))
        let m = table + (stride &+ c), r = table + (4 &* stride &+ c)
        let m0 = load4(m), m1 = load4(m + 4), m2 = load4(m + 8), m3 = load4(m + 12)
        let r0 = load4(r), r1 = load4(r + 4), r2 = load4(r + 8), r3 = load4(r + 12)
        var src = origin + c
        var dst = out + c
        for _ in 0..<pixels {
            let x0 = load16(src + o.0), x1 = load16(src + o.1), x2 = load16(src + o.2)
            let x3 = load16(src + o.3), x4 = load16(src + o.4), x5 = load16(src + o.5)
            let x6 = load16(src + o.6), x7 = load16(src + o.7), x8 = load16(src + o.8)
            let l0 = pairLow(x0, w0, x1, w1), h0 = pairHigh(x0, w0, x1, w1)
            let l1 = pairLow(x2, w2, x3, w3), h1 = pairHigh(x2, w2, x3, w3)
            let l2 = pairLow(x4, w4, x5, w5), h2 = pairHigh(x4, w4, x5, w5)
            let l3 = pairLow(x6, w6, x7, w7), h3 = pairHigh(x6, w6, x7, w7)
            let l4 = vmull_s8(vget_low_s8(x8), vget_low_s8(w8)), h4 = vmull_high_s8(x8, w8)
            @inline(__always) func sumLow(_ b: SIMD4<Int32>, _ p0: SIMD8<Int16>, _ p1: SIMD8<Int16>, _ p2: SIMD8<Int16>,
                                          _ p3: SIMD8<Int16>, _ p4: SIMD8<Int16>) -> SIMD4<Int32> {
                vaddw_s16(vaddw_s16(vaddw_s16(vaddw_s16(vaddw_s16(b, vget_low_s16(p0)), vget_low_s16(p1)),
                                              vget_low_s16(p2)), vget_low_s16(p3)), vget_low_s16(p4))
            }
            @inline(__always) func sumHigh(_ b: SIMD4<Int32>, _ p0: SIMD8<Int16>, _ p1: SIMD8<Int16>, _ p2: SIMD8<Int16>,
                                           _ p3: SIMD8<Int16>, _ p4: SIMD8<Int16>) -> SIMD4<Int32> {
                vaddw_high_s16(vaddw_high_s16(vaddw_high_s16(vaddw_high_s16(vaddw_high_s16(b, p0), p1), p2), p3), p4)
            }
            let a0 = sumLow(b0, l0, l1, l2, l3, l4), a1 = sumHigh(b1, l0, l1, l2, l3, l4)
            let a2 = sumLow(b2, h0, h1, h2, h3, h4), a3 = sumHigh(b3, h0, h1, h2, h3, h4)
            let s0 = perchNEONMultiplyByQuantizedMultiplierRightShift(a0, m0, r0)
            let s1 = perchNEONMultiplyByQuantizedMultiplierRightShift(a1, m1, r1)
            let s2 = perchNEONMultiplyByQuantizedMultiplierRightShift(a2, m2, r2)
            let s3 = perchNEONMultiplyByQuantizedMultiplierRightShift(a3, m3, r3)
            let n0 = vqaddq_s16(vcombine_s16(vqmovn_s32(s0), vqmovn_s32(s1)), zp)
            let n1 = vqaddq_s16(vcombine_s16(vqmovn_s32(s2), vqmovn_s32(s3)), zp)
            let bytes = vminq_s8(vmaxq_s8(vcombine_s8(vqmovn_s16(n0), vqmovn_s16(n1)), lo), hi)
            UnsafeMutableRawPointer(dst).storeBytes(of: bytes, as: SIMD16<Int8>.self)
            src += pixelStep
            dst += channels
        }
        c &+= 16
    }
}

/// Rows `0..<rowCount` of `out` (`ldc` apart) for all `n` channels; `rows` has 4 entries.
/// `simpleStage`: every channel shifts right only (`GemmOutputStage.rightShiftsOnly`) and no
/// row has an offset (`rowOffsets` is then not read), so the output stage takes its short form.
@inline(never)
public func perchNEONGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int, pairsFitInt16: Bool, simpleStage: Bool) {
    switch (pairsFitInt16, simpleStage) {
    case (true, true) where rowCount == 1:
        // A single row (the last tile of a layer of 4n + 1 pixels, a 3×3 layer's 9): one row's work.
        tile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
             out, ldc, fused: true, simpleStage: true, fourRows: false)
    case (true, true):
        tile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
             out, ldc, fused: true, simpleStage: true, fourRows: true)
    case (true, false):
        tile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
             out, ldc, fused: true, simpleStage: false, fourRows: true)
    case (false, true):
        tile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
             out, ldc, fused: false, simpleStage: true, fourRows: true)
    case (false, false):
        tile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
             out, ldc, fused: false, simpleStage: false, fourRows: true)
    }
}

#else

public let perchNEONAvailable = false

public func perchNEONDepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                  out: UnsafeMutablePointer<Int8>, channels: Int, broadcastInput: Bool, taps: Int,
                                  tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                                  offsets: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                                  outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool,
                                  rightShiftsOnly: Bool) {
    fatalError("perchNEONDepthwiseRow: not an aarch64 build")
}

@inline(never)
public func perchNEONGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int, pairsFitInt16: Bool, simpleStage: Bool) {
    fatalError("perchNEONGemmTile: not an aarch64 build")
}

#endif
