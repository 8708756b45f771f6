/// The aarch64 dot-product GEMM micro-kernel (`sdot`, Armv8.2 +dotprod), in a module of
/// its own because Swift has no per-function target attribute: only this module is
/// compiled with `-march=armv8.2-a+dotprod` (aarch64 embedded builds, Package.swift), and
/// its entry points are `@inline(never)` so no `sdot` leaks into code that runs on a CPU
/// without the extension. The runtime calls it only when `AT_HWCAP` has `HWCAP_ASIMDDP`.
///
/// Tile: 8 activation rows × 8 channels. Per 16 depths: 8 row loads, 8 weight loads and 64
/// `sdot v.4s, w.16b, a.4b[lane]` (the activation row's 4-byte lane broadcast), 1024 MACs.
/// Weights (PackedWeights, `.dotProduct` layout): per panel of 8 channels, per 4 depths,
/// 2 × 16 bytes = [channel c of group g][depth 0...3].
/// Output stage: TFLite's NEON requantization (`vqrdmulhq_s32` + rounding shift with the
/// sign fix-up), bit-exact with the reference's double rounding.
///
/// The runtime does not import this module: it declares these entry points by symbol name
/// (`@_silgen_name`), because Embedded Swift serializes every function body into its
/// clients, which would inline `sdot` into code compiled without the extension.
///
/// `table` holds 7 arrays of `stride` Int32 (GemmOutputStage): offset, multiplier, left
/// shift, right shift, negated right shift, rounding mask, rounding half.

#if PERCH_SDOT && arch(arm64)
import _Builtin_intrinsics.arm.neon

@_silgen_name("perch_sdot_available")
public func perchSDotAvailable() -> Bool { true }

@inline(__always)
private func load16(_ p: UnsafePointer<Int8>) -> SIMD16<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
}

@inline(__always)
private func lane(_ v: SIMD4<Int32>, _ i: Int) -> SIMD16<Int8> {
    unsafeBitCast(SIMD4<Int32>(repeating: v[i]), to: SIMD16<Int8>.self)
}

@inline(__always)
private func broadcast4(_ p: UnsafePointer<Int8>) -> SIMD16<Int8> {
    unsafeBitCast(SIMD4<Int32>(repeating: UnsafeRawPointer(p).loadUnaligned(as: Int32.self)), to: SIMD16<Int8>.self)
}

@inline(__always)
private func load4(_ p: UnsafePointer<Int32>) -> SIMD4<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Int32>.self)
}

/// acc[r][g] for 8 rows × 2 groups of 4 channels.
private struct Accumulators {
    var c00 = SIMD4<Int32>(), c01 = SIMD4<Int32>(), c10 = SIMD4<Int32>(), c11 = SIMD4<Int32>()
    var c20 = SIMD4<Int32>(), c21 = SIMD4<Int32>(), c30 = SIMD4<Int32>(), c31 = SIMD4<Int32>()
    var c40 = SIMD4<Int32>(), c41 = SIMD4<Int32>(), c50 = SIMD4<Int32>(), c51 = SIMD4<Int32>()
    var c60 = SIMD4<Int32>(), c61 = SIMD4<Int32>(), c70 = SIMD4<Int32>(), c71 = SIMD4<Int32>()
}

/// One output stage: 4 channels of one row, requantized and clamped, as int16 lanes.
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

/// The short output stage (`simpleStage`): every channel shifts right by 1...31 and none
/// left, and no row has an offset. No left shift and no row offset; the sign fix-up is one
/// `ssra` (it differs from `sqadd` only on saturation, and `vqrdmulhq_s32` by a multiplier in
/// [0, 2^31) never returns -2^31); the zero point is added after a saturating narrow to
/// int16 and the clamp is done on bytes, which equals the int32 clamp because the zero point
/// and the bounds are int8. Returns 8 output bytes.
@inline(__always)
private func requantizeSimple(_ g0: SIMD4<Int32>, _ g1: SIMD4<Int32>, _ o0: SIMD4<Int32>, _ o1: SIMD4<Int32>,
                              _ m0: SIMD4<Int32>, _ m1: SIMD4<Int32>, _ r0: SIMD4<Int32>, _ r1: SIMD4<Int32>,
                              _ zp: SIMD8<Int16>, _ lo: SIMD8<Int8>, _ hi: SIMD8<Int8>) -> SIMD8<Int8> {
    let v0 = vqrdmulhq_s32(g0 &+ o0, m0), v1 = vqrdmulhq_s32(g1 &+ o1, m1)
    let s0 = vrshlq_s32(v0 &+ (v0 &>> 31), r0), s1 = vrshlq_s32(v1 &+ (v1 &>> 31), r1)
    let h = vqaddq_s16(vcombine_s16(vqmovn_s32(s0), vqmovn_s32(s1)), zp)
    return vmin_s8(vmax_s8(vqmovn_s16(h), lo), hi)
}

/// Rows `0..<rowCount` of `out` (`ldc` apart) for all `n` channels. `simpleStage`: every
/// channel shifts right only (`GemmOutputStage.rightShiftsOnly`) and no row has an offset
/// (`rowOffsets` is then not read), so the output stage takes its short form.
@_silgen_name("perch_sdot_gemm_tile") @inline(never)
public func perchSDotGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int, simpleStage: Bool) {
    // A tile of 4 rows or fewer (the last of a layer) computes 4 rows, not 8.
    switch (simpleStage, rowCount > 4) {
    case (true, true):
        sdotTile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
                 out, ldc, simpleStage: true, eightRows: true)
    case (true, false):
        sdotTile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
                 out, ldc, simpleStage: true, eightRows: false)
    case (false, true):
        sdotTile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
                 out, ldc, simpleStage: false, eightRows: true)
    case (false, false):
        sdotTile(rows, rowCount, kPadded, weights, panels, n, table, stride, rowOffsets, outputZeroPoint, min, max,
                 out, ldc, simpleStage: false, eightRows: false)
    }
}

@inline(__always)
private func sdotTile(_ rows: UnsafePointer<UnsafePointer<Int8>>, _ rowCount: Int, _ kPadded: Int,
                      _ weights: UnsafePointer<Int8>, _ panels: Int, _ n: Int,
                      _ table: UnsafePointer<Int32>, _ stride: Int, _ rowOffsets: UnsafePointer<Int32>,
                      _ outputZeroPoint: Int32, _ min: Int32, _ max: Int32,
                      _ out: UnsafeMutablePointer<Int8>, _ ldc: Int, simpleStage: Bool, eightRows: Bool) {
    let a0 = rows[0], a1 = rows[1], a2 = rows[2], a3 = rows[3]
    let a4 = rows[4], a5 = rows[5], a6 = rows[6], a7 = rows[7]
    let zp = SIMD4<Int32>(repeating: outputZeroPoint)
    let lo = SIMD4<Int32>(repeating: min), hi = SIMD4<Int32>(repeating: max)
    let zp16 = SIMD8<Int16>(repeating: Int16(truncatingIfNeeded: outputZeroPoint))
    let lo8 = SIMD8<Int8>(repeating: Int8(truncatingIfNeeded: min)), hi8 = SIMD8<Int8>(repeating: Int8(truncatingIfNeeded: max))
    var w = weights
    for p in 0..<panels {
        var c = Accumulators()
        var k = 0
        while k &+ 16 <= kPadded {
            let x0 = unsafeBitCast(load16(a0 + k), to: SIMD4<Int32>.self)
            let x1 = unsafeBitCast(load16(a1 + k), to: SIMD4<Int32>.self)
            let x2 = unsafeBitCast(load16(a2 + k), to: SIMD4<Int32>.self)
            let x3 = unsafeBitCast(load16(a3 + k), to: SIMD4<Int32>.self)
            let x4 = unsafeBitCast(load16(a4 + k), to: SIMD4<Int32>.self)
            let x5 = unsafeBitCast(load16(a5 + k), to: SIMD4<Int32>.self)
            let x6 = unsafeBitCast(load16(a6 + k), to: SIMD4<Int32>.self)
            let x7 = unsafeBitCast(load16(a7 + k), to: SIMD4<Int32>.self)
            @inline(__always) func quad(_ l: Int) {
                let w0 = load16(w + l &* 32), w1 = load16(w + (l &* 32 &+ 16))
                c.c00 = vdotq_s32(c.c00, w0, lane(x0, l)); c.c01 = vdotq_s32(c.c01, w1, lane(x0, l))
                c.c10 = vdotq_s32(c.c10, w0, lane(x1, l)); c.c11 = vdotq_s32(c.c11, w1, lane(x1, l))
                c.c20 = vdotq_s32(c.c20, w0, lane(x2, l)); c.c21 = vdotq_s32(c.c21, w1, lane(x2, l))
                c.c30 = vdotq_s32(c.c30, w0, lane(x3, l)); c.c31 = vdotq_s32(c.c31, w1, lane(x3, l))
                guard eightRows else { return }
                c.c40 = vdotq_s32(c.c40, w0, lane(x4, l)); c.c41 = vdotq_s32(c.c41, w1, lane(x4, l))
                c.c50 = vdotq_s32(c.c50, w0, lane(x5, l)); c.c51 = vdotq_s32(c.c51, w1, lane(x5, l))
                c.c60 = vdotq_s32(c.c60, w0, lane(x6, l)); c.c61 = vdotq_s32(c.c61, w1, lane(x6, l))
                c.c70 = vdotq_s32(c.c70, w0, lane(x7, l)); c.c71 = vdotq_s32(c.c71, w1, lane(x7, l))
            }
            quad(0); quad(1); quad(2); quad(3)
            w += 128
            k &+= 16
        }
        while k < kPadded {
            let w0 = load16(w), w1 = load16(w + 16)
            var x = broadcast4(a0 + k); c.c00 = vdotq_s32(c.c00, w0, x); c.c01 = vdotq_s32(c.c01, w1, x)
            x = broadcast4(a1 + k); c.c10 = vdotq_s32(c.c10, w0, x); c.c11 = vdotq_s32(c.c11, w1, x)
            x = broadcast4(a2 + k); c.c20 = vdotq_s32(c.c20, w0, x); c.c21 = vdotq_s32(c.c21, w1, x)
            x = broadcast4(a3 + k); c.c30 = vdotq_s32(c.c30, w0, x); c.c31 = vdotq_s32(c.c31, w1, x)
            if !eightRows { w += 32; k &+= 4; continue }
            x = broadcast4(a4 + k); c.c40 = vdotq_s32(c.c40, w0, x); c.c41 = vdotq_s32(c.c41, w1, x)
            x = broadcast4(a5 + k); c.c50 = vdotq_s32(c.c50, w0, x); c.c51 = vdotq_s32(c.c51, w1, x)
            x = broadcast4(a6 + k); c.c60 = vdotq_s32(c.c60, w0, x); c.c61 = vdotq_s32(c.c61, w1, x)
            x = broadcast4(a7 + k); c.c70 = vdotq_s32(c.c70, w0, x); c.c71 = vdotq_s32(c.c71, w1, x)
            w += 32
            k &+= 4
        }

        let n0 = p &* 8
        let o0 = load4(table + n0), o1 = load4(table + (n0 &+ 4))
        let m0 = load4(table + (stride &+ n0)), m1 = load4(table + (stride &+ n0 &+ 4))
        let l0 = load4(table + (2 &* stride &+ n0)), l1 = load4(table + (2 &* stride &+ n0 &+ 4))
        let r0 = load4(table + (4 &* stride &+ n0)), r1 = load4(table + (4 &* stride &+ n0 &+ 4))
        let valid = n &- n0
        @inline(__always) func store(_ r: Int, _ g0: SIMD4<Int32>, _ g1: SIMD4<Int32>) {
            let bytes: SIMD8<Int8>
            if simpleStage {
                bytes = requantizeSimple(g0, g1, o0, o1, m0, m1, r0, r1, zp16, lo8, hi8)
            } else {
                let ro = rowOffsets[r]
                let h0 = requantize(g0, ro, o0, m0, l0, r0, zp, lo, hi)
                let h1 = requantize(g1, ro, o1, m1, l1, r1, zp, lo, hi)
                bytes = vmovn_s16(vcombine_s16(h0, h1))
            }
            let dst = out + (r &* ldc &+ n0)
            if valid >= 8 {
                UnsafeMutableRawPointer(dst).storeBytes(of: bytes, as: SIMD8<Int8>.self)
            } else {
                for j in 0..<valid { dst[j] = bytes[j] }
            }
        }
        store(0, c.c00, c.c01)
        if rowCount > 1 { store(1, c.c10, c.c11) }
        if rowCount > 2 { store(2, c.c20, c.c21) }
        if rowCount > 3 { store(3, c.c30, c.c31) }
        guard eightRows else { continue }
        if rowCount > 4 { store(4, c.c40, c.c41) }
        if rowCount > 5 { store(5, c.c50, c.c51) }
        if rowCount > 6 { store(6, c.c60, c.c61) }
        if rowCount > 7 { store(7, c.c70, c.c71) }
    }
}

#else

/// This build has no dot-product kernels (not an aarch64 embedded build).
@_silgen_name("perch_sdot_available")
public func perchSDotAvailable() -> Bool { false }

@_silgen_name("perch_sdot_gemm_tile") @inline(never)
public func perchSDotGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int, simpleStage: Bool) {
    fatalError("perchSDotGemmTile: this build has no dot-product kernels")
}

#endif
