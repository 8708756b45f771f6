/// The x86_64 GEMM micro-kernel for CPUs with AVX-512 VNNI (`vpdpbusd`: 4 u8×s8 products
/// summed into each int32 lane, 64 MACs per instruction). Like PerchSDot it is a module of its
/// own, the only one compiled with `-march=x86-64-v4 -mavx512vnni` (Package.swift), reached
/// by symbol name so its bodies are never inlined into code built for the baseline, and
/// called only when the CPU reports the extension (`__builtin_cpu_supports`).
///
/// `vpdpbusd` multiplies unsigned by signed bytes. The weights are the unsigned operand,
/// stored as w + 128 (PackedWeights `.vnni` layout: per panel of 16 channels, per 4 depths,
/// 16 × 4 bytes; padding is 0); the activations stay signed and are broadcast 4 bytes at a
/// time. Σ (w + 128)·a = Σ w·a + 128·Σ a, so each row's offset carries -128·Σ a (the caller
/// computes it). All sums wrap modulo 2^32 as the reference's do.
///
/// Tile: 8 rows × 16 channels; per 4 depths 1 weight load, 8 broadcasts, 8 `vpdpbusd`.
/// Output stage: TFLite's double rounding on 16 lanes in 64-bit arithmetic (AVX-512 has the
/// 64-bit arithmetic shift), `vpmovdb` to bytes.

#if PERCH_VNNI && arch(x86_64)
import _Builtin_intrinsics.intel

@_silgen_name("perch_vnni_available")
public func perchVNNIAvailable() -> Bool { true }

@inline(__always)
private func dot(_ acc: SIMD16<Int32>, _ w: SIMD16<Int32>, _ a: SIMD16<Int32>) -> SIMD16<Int32> {
    unsafeBitCast(_mm512_dpbusd_epi32(unsafeBitCast(acc, to: __m512i.self), unsafeBitCast(w, to: __m512i.self),
                                      unsafeBitCast(a, to: __m512i.self)), to: SIMD16<Int32>.self)
}

@inline(__always)
private func broadcast(_ p: UnsafePointer<Int8>) -> SIMD16<Int32> {
    SIMD16<Int32>(repeating: UnsafeRawPointer(p).loadUnaligned(as: Int32.self))
}

@inline(__always)
private func load16(_ p: UnsafePointer<Int32>) -> SIMD16<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int32>.self)
}

@inline(__always)
private func widen(_ v: SIMD8<Int32>) -> SIMD8<Int64> {
    var r = SIMD8<Int64>()
    for i in 0..<8 { r[i] = Int64(v[i]) }
    return r
}

@inline(__always)
private func narrow(_ v: SIMD8<Int64>) -> SIMD8<Int32> {
    var r = SIMD8<Int32>()
    for i in 0..<8 { r[i] = Int32(truncatingIfNeeded: v[i]) }
    return r
}

@inline(__always)
private func bytes(_ v: SIMD16<Int32>) -> SIMD16<Int8> {
    var r = SIMD16<Int8>()
    for i in 0..<16 { r[i] = Int8(truncatingIfNeeded: v[i]) }
    return r
}

/// MultiplyByQuantizedMultiplier on 16 lanes (shifts -31...31, multipliers ≥ 0).
@inline(__always)
private func requantize(_ x: SIMD16<Int32>, _ multiplier: SIMD16<Int32>, _ left: SIMD16<Int32>,
                        _ right: SIMD16<Int32>, _ mask: SIMD16<Int32>, _ half: SIMD16<Int32>) -> SIMD16<Int32> {
    let shifted = x &<< left
    let nudge = SIMD8<Int64>(repeating: 1 << 30)
    let lo = narrow((widen(shifted.lowHalf) &* widen(multiplier.lowHalf) &+ nudge) &>> 31)
    let hi = narrow((widen(shifted.highHalf) &* widen(multiplier.highHalf) &+ nudge) &>> 31)
    let high = SIMD16(lowHalf: lo, highHalf: hi)
    let threshold = half &- (high &>> 31)
    let roundUp = SIMD16<Int32>(repeating: 0).replacing(with: 1, where: (high & mask) .> threshold)
    return (high &>> right) &+ roundUp
}

/// Rows `0..<rowCount` of `out` (`ldc` apart) for all `n` channels; `rows` has 8 entries.
@_silgen_name("perch_vnni_gemm_tile") @inline(never)
public func perchVNNIGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int) {
    let a0 = rows[0], a1 = rows[1], a2 = rows[2], a3 = rows[3]
    let a4 = rows[4], a5 = rows[5], a6 = rows[6], a7 = rows[7]
    let zp = SIMD16<Int32>(repeating: outputZeroPoint)
    let lo = SIMD16<Int32>(repeating: min), hi = SIMD16<Int32>(repeating: max)
    var w = UnsafeRawPointer(weights).assumingMemoryBound(to: Int32.self)
    if rowCount == 1 {
        // One row (a fully connected layer's single batch): four independent chains over depth.
        for p in 0..<panels {
            var s0 = SIMD16<Int32>(), s1 = SIMD16<Int32>(), s2 = SIMD16<Int32>(), s3 = SIMD16<Int32>()
            var k = 0
            while k &+ 16 <= kPadded {
                s0 = dot(s0, load16(w), broadcast(a0 + k))
                s1 = dot(s1, load16(w + 16), broadcast(a0 + (k &+ 4)))
                s2 = dot(s2, load16(w + 32), broadcast(a0 + (k &+ 8)))
                s3 = dot(s3, load16(w + 48), broadcast(a0 + (k &+ 12)))
                w += 64
                k &+= 16
            }
            while k < kPadded {
                s0 = dot(s0, load16(w), broadcast(a0 + k))
                w += 16
                k &+= 4
            }
            let n0 = p &* 16
            let x = (s0 &+ s1) &+ (s2 &+ s3) &+ load16(table + n0) &+ SIMD16<Int32>(repeating: rowOffsets[0])
            let v = (requantize(x, load16(table + (stride &+ n0)), load16(table + (2 &* stride &+ n0)),
                                load16(table + (3 &* stride &+ n0)), load16(table + (5 &* stride &+ n0)),
                                load16(table + (6 &* stride &+ n0))) &+ zp).clamped(lowerBound: lo, upperBound: hi)
            let b = bytes(v)
            let valid = n &- n0
            if valid >= 16 {
                UnsafeMutableRawPointer(out + n0).storeBytes(of: b, as: SIMD16<Int8>.self)
            } else {
                for j in 0..<valid { out[n0 &+ j] = b[j] }
            }
        }
        return
    }
    for p in 0..<panels {
        var c0 = SIMD16<Int32>(), c1 = SIMD16<Int32>(), c2 = SIMD16<Int32>(), c3 = SIMD16<Int32>()
        var c4 = SIMD16<Int32>(), c5 = SIMD16<Int32>(), c6 = SIMD16<Int32>(), c7 = SIMD16<Int32>()
        var k = 0
        while k < kPadded {
            let wk = load16(w)
            c0 = dot(c0, wk, broadcast(a0 + k)); c1 = dot(c1, wk, broadcast(a1 + k))
            c2 = dot(c2, wk, broadcast(a2 + k)); c3 = dot(c3, wk, broadcast(a3 + k))
            c4 = dot(c4, wk, broadcast(a4 + k)); c5 = dot(c5, wk, broadcast(a5 + k))
            c6 = dot(c6, wk, broadcast(a6 + k)); c7 = dot(c7, wk, broadcast(a7 + k))
            w += 16
            k &+= 4
        }
        let n0 = p &* 16
        let offset = load16(table + n0), multiplier = load16(table + (stride &+ n0))
        let left = load16(table + (2 &* stride &+ n0)), right = load16(table + (3 &* stride &+ n0))
        let mask = load16(table + (5 &* stride &+ n0)), half = load16(table + (6 &* stride &+ n0))
        let valid = n &- n0
        @inline(__always) func store(_ r: Int, _ acc: SIMD16<Int32>) {
            let x = acc &+ offset &+ SIMD16<Int32>(repeating: rowOffsets[r])
            let v = (requantize(x, multiplier, left, right, mask, half) &+ zp).clamped(lowerBound: lo, upperBound: hi)
            let b = bytes(v)
            let dst = out + (r &* ldc &+ n0)
            if valid >= 16 {
                UnsafeMutableRawPointer(dst).storeBytes(of: b, as: SIMD16<Int8>.self)
            } else {
                for j in 0..<valid { dst[j] = b[j] }
            }
        }
        store(0, c0)
        if rowCount > 1 { store(1, c1) }
        if rowCount > 2 { store(2, c2) }
        if rowCount > 3 { store(3, c3) }
        if rowCount > 4 { store(4, c4) }
        if rowCount > 5 { store(5, c5) }
        if rowCount > 6 { store(6, c6) }
        if rowCount > 7 { store(7, c7) }
    }
}

#else

@_silgen_name("perch_vnni_available")
public func perchVNNIAvailable() -> Bool { false }

@_silgen_name("perch_vnni_gemm_tile") @inline(never)
public func perchVNNIGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int) {
    fatalError("perchVNNIGemmTile: this build has no AVX-512 VNNI kernels")
}

#endif
