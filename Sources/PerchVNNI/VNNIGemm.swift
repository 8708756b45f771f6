/// The x86_64 GEMM micro-kernel for CPUs with AVX-512 VNNI (`vpdpbusd`: 4 u8×s8 products
/// summed into each int32 lane, 64 MACs per instruction). Like PerchSDot it is a module of its
/// own, the only one compiled with `-march=x86-64-v4 -mavx512vnni` (Package.swift), reached
/// by symbol name so its bodies are never inlined into code built for the baseline, and
/// called only when the CPU reports the extension (`__builtin_cpu_supports`).
///
/// `vpdpbusd` multiplies unsigned by signed bytes. The weights are the unsigned operand,
/// stored as w + 128 (PackedWeights `.vnni` layout: per panel of 16 channels, per 4 depths,
/// 16 × 4 bytes; padding is 0); the activations stay signed and are broadcast 4 bytes at a
/// time. Σ (w + 128)·a = Σ w·a + 128·Σ a, so each row also gets -128·Σ a, computed here over
/// the real depth. All sums wrap modulo 2^32 as the reference's do.
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
private func m512(_ v: SIMD16<Int32>) -> __m512i { unsafeBitCast(v, to: __m512i.self) }

@inline(__always)
private func lanes(_ v: __m512i) -> SIMD16<Int32> { unsafeBitCast(v, to: SIMD16<Int32>.self) }

/// 16 lanes to bytes (`vpmovdb`; values are already clamped to the int8 range).
@inline(__always)
private func narrow(_ v: SIMD16<Int32>) -> SIMD16<Int8> {
    unsafeBitCast(_mm512_cvtepi32_epi8(m512(v)), to: SIMD16<Int8>.self)
}

/// Lane-wise clamp (`vpmaxsd`, `vpminsd`).
@inline(__always)
private func clamp(_ v: SIMD16<Int32>, _ lo: SIMD16<Int32>, _ hi: SIMD16<Int32>) -> SIMD16<Int32> {
    lanes(_mm512_min_epi32(_mm512_max_epi32(m512(v), m512(lo)), m512(hi)))
}

/// MultiplyByQuantizedMultiplier on 16 lanes (shifts -31...31, multipliers ≥ 0), in
/// intrinsics: Swift's SIMD halves, masks and `replacing` scalarize here. SRDHM is
/// (x·m + 2^30) >> 31 from `vpmuldq` on even and odd lanes (the low 32 bits of a logical
/// shift equal the arithmetic one's); the rounding right shift adds 1 where the remainder
/// exceeds half (plus one for negative values), as gemmlowp's RoundingDivideByPOT.
@inline(__always)
private func requantize(_ x: SIMD16<Int32>, _ multiplier: SIMD16<Int32>, _ left: SIMD16<Int32>,
                        _ right: SIMD16<Int32>, _ mask: SIMD16<Int32>, _ half: SIMD16<Int32>) -> SIMD16<Int32> {
    let shifted = _mm512_sllv_epi32(m512(x), m512(left))
    let m = m512(multiplier)
    let nudge = _mm512_set1_epi64(1 << 30)
    let even = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(shifted, m), nudge), 31)
    let odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(shifted, 32), _mm512_srli_epi64(m, 32)), nudge)
    let high = lanes(_mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 1)))
    let remainder = high & mask
    let threshold = half &- (high &>> 31)
    let roundUp = (threshold &- remainder) &>> 31   // -1 where remainder > threshold
    return lanes(_mm512_srav_epi32(m512(high), m512(right))) &- roundUp
}

/// The requantization of 16 channels starting at `c`, loaded from a GemmOutputStage table
/// (`stride` Int32 per row: 1 multiplier, 2 left shift, 3 right shift, 5 rounding mask,
/// 6 rounding half).
private struct Requantizer16 {
    let multiplier: SIMD16<Int32>, left: SIMD16<Int32>, right: SIMD16<Int32>
    let mask: SIMD16<Int32>, half: SIMD16<Int32>

    @inline(__always)
    init(_ table: UnsafePointer<Int32>, stride: Int, channel c: Int) {
        multiplier = load16(table + (stride &+ c))
        left = load16(table + (2 &* stride &+ c))
        right = load16(table + (3 &* stride &+ c))
        mask = load16(table + (5 &* stride &+ c))
        half = load16(table + (6 &* stride &+ c))
    }

    /// Requantized, plus the zero point, clamped and narrowed to bytes.
    @inline(__always)
    func bytes(_ x: SIMD16<Int32>, _ zp: SIMD16<Int32>, _ lo: SIMD16<Int32>, _ hi: SIMD16<Int32>) -> SIMD16<Int8> {
        narrow(clamp(requantize(x, multiplier, left, right, mask, half) &+ zp, lo, hi))
    }
}

/// Stores 16 bytes, or the first `valid` of them at a partial tail.
@inline(__always)
private func store(_ b: SIMD16<Int8>, _ dst: UnsafeMutablePointer<Int8>, valid: Int) {
    if valid >= 16 {
        UnsafeMutableRawPointer(dst).storeBytes(of: b, as: SIMD16<Int8>.self)
    } else {
        for j in 0..<valid { dst[j] = b[j] }
    }
}

/// The weights are stored + 128, so a row's dot products carry 128 · Σ a too: this is the
/// row's correction, -128 · Σ a plus the caller's row offset, in every lane.
@inline(__always)
private func rowTerm(_ sum: SIMD16<Int32>, _ rowOffset: Int32) -> SIMD16<Int32> {
    SIMD16<Int32>(repeating: rowOffset) &- (sum &<< 7)
}

/// Rows `0..<rowCount` of `out` (`ldc` apart) for all `n` channels; `rows` has 8 entries.
@_silgen_name("perch_vnni_gemm_tile") @inline(never)
public func perchVNNIGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, depth: Int, kPadded: Int,
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
        // Σ a of the row, once (vpdpbusd against ones over the real depth).
        var total = SIMD16<Int32>()
        var kk = 0
        let onesRow = SIMD16<Int32>(repeating: 0x0101_0101)
        while kk &+ 4 <= depth {
            total = dot(total, onesRow, broadcast(a0 + kk))
            kk &+= 4
        }
        var rowSum = total[0]
        while kk < depth {
            rowSum &+= Int32(a0[kk])
            kk &+= 1
        }
        let term = rowTerm(SIMD16<Int32>(repeating: rowSum), rowOffsets[0])
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
            let x = (s0 &+ s1) &+ (s2 &+ s3) &+ load16(table + n0) &+ term
            store(Requantizer16(table, stride: stride, channel: n0).bytes(x, zp, lo, hi), out + n0, valid: n &- n0)
        }
        return
    }
    // Σ a of every row, as -128 · Σ a in all lanes (the weights are stored + 128), from a
    // vpdpbusd of each broadcast against ones, fused into the first panel's loop; the ones of
    // a last, partial group of 4 depths stop at the depth (rows may be read past it).
    let ones = SIMD16<Int32>(repeating: 0x0101_0101)
    let tail = depth & 3
    let onesLast = tail == 0 ? ones : SIMD16<Int32>(repeating: Int32(truncatingIfNeeded: (1 << (8 &* tail)) &- 1) & 0x0101_0101)
    var t0 = SIMD16<Int32>(), t1 = SIMD16<Int32>(), t2 = SIMD16<Int32>(), t3 = SIMD16<Int32>()
    var t4 = SIMD16<Int32>(), t5 = SIMD16<Int32>(), t6 = SIMD16<Int32>(), t7 = SIMD16<Int32>()
    for p in 0..<panels {
        var c0 = SIMD16<Int32>(), c1 = SIMD16<Int32>(), c2 = SIMD16<Int32>(), c3 = SIMD16<Int32>()
        var c4 = SIMD16<Int32>(), c5 = SIMD16<Int32>(), c6 = SIMD16<Int32>(), c7 = SIMD16<Int32>()
        var k = 0
        if p == 0 {
            while k < kPadded {
                let wk = load16(w)
                let u = k &+ 4 <= depth ? ones : onesLast
                let b0 = broadcast(a0 + k), b1 = broadcast(a1 + k), b2 = broadcast(a2 + k), b3 = broadcast(a3 + k)
                let b4 = broadcast(a4 + k), b5 = broadcast(a5 + k), b6 = broadcast(a6 + k), b7 = broadcast(a7 + k)
                c0 = dot(c0, wk, b0); c1 = dot(c1, wk, b1); c2 = dot(c2, wk, b2); c3 = dot(c3, wk, b3)
                c4 = dot(c4, wk, b4); c5 = dot(c5, wk, b5); c6 = dot(c6, wk, b6); c7 = dot(c7, wk, b7)
                t0 = dot(t0, u, b0); t1 = dot(t1, u, b1); t2 = dot(t2, u, b2); t3 = dot(t3, u, b3)
                t4 = dot(t4, u, b4); t5 = dot(t5, u, b5); t6 = dot(t6, u, b6); t7 = dot(t7, u, b7)
                w += 16
                k &+= 4
            }
            t0 = rowTerm(t0, rowOffsets[0]); t1 = rowTerm(t1, rowOffsets[1])
            t2 = rowTerm(t2, rowOffsets[2]); t3 = rowTerm(t3, rowOffsets[3])
            t4 = rowTerm(t4, rowOffsets[4]); t5 = rowTerm(t5, rowOffsets[5])
            t6 = rowTerm(t6, rowOffsets[6]); t7 = rowTerm(t7, rowOffsets[7])
        } else {
            while k < kPadded {
                let wk = load16(w)
                c0 = dot(c0, wk, broadcast(a0 + k)); c1 = dot(c1, wk, broadcast(a1 + k))
                c2 = dot(c2, wk, broadcast(a2 + k)); c3 = dot(c3, wk, broadcast(a3 + k))
                c4 = dot(c4, wk, broadcast(a4 + k)); c5 = dot(c5, wk, broadcast(a5 + k))
                c6 = dot(c6, wk, broadcast(a6 + k)); c7 = dot(c7, wk, broadcast(a7 + k))
                w += 16
                k &+= 4
            }
        }
        let n0 = p &* 16
        let offset = load16(table + n0)
        let stage = Requantizer16(table, stride: stride, channel: n0)
        let valid = n &- n0
        @inline(__always) func finish(_ r: Int, _ acc: SIMD16<Int32>, _ rowTerm: SIMD16<Int32>) {
            store(stage.bytes(acc &+ offset &+ rowTerm, zp, lo, hi), out + (r &* ldc &+ n0), valid: valid)
        }
        finish(0, c0, t0)
        if rowCount > 1 { finish(1, c1, t1) }
        if rowCount > 2 { finish(2, c2, t2) }
        if rowCount > 3 { finish(3, c3, t3) }
        if rowCount > 4 { finish(4, c4, t4) }
        if rowCount > 5 { finish(5, c5, t5) }
        if rowCount > 6 { finish(6, c6, t6) }
        if rowCount > 7 { finish(7, c7, t7) }
    }
}

#else

@_silgen_name("perch_vnni_available")
public func perchVNNIAvailable() -> Bool { false }

@_silgen_name("perch_vnni_gemm_tile") @inline(never)
public func perchVNNIGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, depth: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int) {
    fatalError("perchVNNIGemmTile: this build has no AVX-512 VNNI kernels")
}

#endif

// MARK: depthwise

#if PERCH_VNNI && arch(x86_64)

@inline(__always)
private func widen32(_ v: SIMD16<Int16>) -> SIMD16<Int32> {
    var r = SIMD16<Int32>()
    for i in 0..<16 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
private func widen16(_ v: SIMD16<Int8>) -> SIMD16<Int16> {
    var r = SIMD16<Int16>()
    for i in 0..<16 { r[i] = Int16(v[i]) }
    return r
}

/// One output row of a depth-multiplier-1 depthwise convolution whose windows all lie in
/// the (zero-point-padded) input, `channels` a multiple of 16: 16 channels per step, two
/// taps' int8 products summed in int16 (`pairs`, no
/// -128 in the filter), accumulators starting at `offsets` (bias + input offset × Σ taps),
/// the output stage on 16 lanes. The runtime's DepthwiseConv2DKernel calls it on the VNNI
/// path; its arithmetic is that of the runtime's portable kernel.
@_silgen_name("perch_vnni_depthwise_row") @inline(never)
public func perchVNNIDepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                  out: UnsafeMutablePointer<Int8>, channels: Int, taps: Int,
                                  tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                                  offsets: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                                  outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool) {
    let zp = SIMD16<Int32>(repeating: outputZeroPoint)
    let lo = SIMD16<Int32>(repeating: min), hi = SIMD16<Int32>(repeating: max)
    @inline(__always) func finish(_ acc: SIMD16<Int32>, _ c: Int) -> SIMD16<Int8> {
        Requantizer16(table, stride: stride, channel: c).bytes(acc, zp, lo, hi)
    }
    if taps == 9 && pairs {
        // 3×3 windows: per block of 16 channels the widened weights, offsets and output stage
        // stay in registers across the row, the taps unrolled (the per-pixel form reloads and
        // widens all of them for every pixel).
        let o0 = tapOffsets[0], o1 = tapOffsets[1], o2 = tapOffsets[2], o3 = tapOffsets[3], o4 = tapOffsets[4]
        let o5 = tapOffsets[5], o6 = tapOffsets[6], o7 = tapOffsets[7], o8 = tapOffsets[8]
        var c = 0
        while c < channels {
            @inline(__always) func w(_ t: Int) -> SIMD16<Int16> {
                widen16(UnsafeRawPointer(filter + (t &* channels &+ c)).loadUnaligned(as: SIMD16<Int8>.self))
            }
            let w0 = w(0), w1 = w(1), w2 = w(2), w3 = w(3), w4 = w(4), w5 = w(5), w6 = w(6), w7 = w(7), w8 = w(8)
            let bias = load16(offsets + c)
            let stage = Requantizer16(table, stride: stride, channel: c)
            var src = origin + c
            var dst = out + c
            for _ in 0..<pixels {
                @inline(__always) func x(_ o: Int) -> SIMD16<Int16> {
                    widen16(UnsafeRawPointer(src + o).loadUnaligned(as: SIMD16<Int8>.self))
                }
                var a = bias &+ widen32(x(o0) &* w0 &+ x(o1) &* w1)
                a &+= widen32(x(o2) &* w2 &+ x(o3) &* w3)
                a &+= widen32(x(o4) &* w4 &+ x(o5) &* w5)
                a &+= widen32(x(o6) &* w6 &+ x(o7) &* w7)
                a &+= widen32(x(o8) &* w8)
                store(stage.bytes(a, zp, lo, hi), dst, valid: 16)
                src += pixelStep
                dst += channels
            }
            c &+= 16
        }
        return
    }
    var pixel = origin
    var dst = out
    for _ in 0..<pixels {
        var c = 0
        while c < channels {
            @inline(__always) func x(_ t: Int) -> SIMD16<Int16> {
                widen16(UnsafeRawPointer(pixel + (tapOffsets[t] &+ c)).loadUnaligned(as: SIMD16<Int8>.self))
            }
            @inline(__always) func w(_ t: Int) -> SIMD16<Int16> {
                widen16(UnsafeRawPointer(filter + (t &* channels &+ c)).loadUnaligned(as: SIMD16<Int8>.self))
            }
            var a = load16(offsets + c)
            var t = 0
            if pairs {
                while t &+ 2 <= taps {
                    a &+= widen32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
                    t &+= 2
                }
            }
            while t < taps {
                a &+= widen32(x(t) &* w(t))
                t &+= 1
            }
            store(finish(a, c), dst + c, valid: 16)
            c &+= 16
        }
        pixel += pixelStep
        dst += channels
    }
}

#else

@_silgen_name("perch_vnni_depthwise_row") @inline(never)
public func perchVNNIDepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                  out: UnsafeMutablePointer<Int8>, channels: Int, taps: Int,
                                  tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                                  offsets: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                                  outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool) {
    fatalError("perchVNNIDepthwiseRow: this build has no AVX-512 kernels")
}

#endif

#if PERCH_VNNI && arch(x86_64)

/// An eight-channel depthwise row (depth multiplier 1, or 8 on one input channel), two
/// output pixels per 16 lanes: lanes 0...7 the first pixel, 8...15 the second. `filter16`
/// holds every tap's 8 weights twice ([tap][16]); `offsets16` and the 16-channel `table`
/// repeat the 8 channels' values the same way. An odd last pixel is paired with itself and
/// stored alone.
@_silgen_name("perch_vnni_depthwise_pairs8") @inline(never)
public func perchVNNIDepthwisePairs8(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                     out: UnsafeMutablePointer<Int8>, broadcastInput: Bool, taps: Int,
                                     tapOffsets: UnsafePointer<Int>, filter16: UnsafePointer<Int8>,
                                     offsets16: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                                     outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool) {
    let zp = SIMD16<Int32>(repeating: outputZeroPoint)
    let lo = SIMD16<Int32>(repeating: min), hi = SIMD16<Int32>(repeating: max)
    let stage = Requantizer16(table, stride: stride, channel: 0), bias = load16(offsets16)
    if taps == 9 && pairs {
        if broadcastInput {
            depthwisePairs8Taps9(origin, pixelStep, pixels, out, tapOffsets, filter16, stage, bias, zp, lo, hi,
                                 broadcastInput: true)
        } else {
            depthwisePairs8Taps9(origin, pixelStep, pixels, out, tapOffsets, filter16, stage, bias, zp, lo, hi,
                                 broadcastInput: false)
        }
        return
    }
    var p = 0
    var dst = out
    while p < pixels {
        let a = origin + p &* pixelStep
        let b = p &+ 1 < pixels ? a + pixelStep : a
        @inline(__always) func x(_ t: Int) -> SIMD16<Int16> { pairInput(a, b, tapOffsets[t], broadcastInput) }
        @inline(__always) func w(_ t: Int) -> SIMD16<Int16> { pairWeights(filter16, t) }
        var acc = bias
        var t = 0
        if pairs {
            while t &+ 2 <= taps {
                acc &+= widen32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
                t &+= 2
            }
        }
        while t < taps {
            acc &+= widen32(x(t) &* w(t))
            t &+= 1
        }
        store(stage.bytes(acc, zp, lo, hi), dst, valid: p &+ 1 < pixels ? 16 : 8)
        dst += 16
        p &+= 2
    }
}

/// One tap of the pair kernel: pixel `a`'s 8 inputs at offset `o` in lanes 0...7 and pixel
/// `b`'s in 8...15, widened (with `broadcastInput`, each pixel's one input in all 8 lanes).
@inline(__always)
private func pairInput(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ o: Int,
                       _ broadcastInput: Bool) -> SIMD16<Int16> {
    if broadcastInput {
        let va = _mm256_set1_epi16(Int16(a[o])), vb = _mm256_set1_epi16(Int16(b[o]))
        return unsafeBitCast(_mm256_mask_blend_epi16(0xFF00, va, vb), to: SIMD16<Int16>.self)
    }
    let pair = _mm_set_epi64x(UnsafeRawPointer(b + o).loadUnaligned(as: Int64.self),
                              UnsafeRawPointer(a + o).loadUnaligned(as: Int64.self))
    return unsafeBitCast(_mm256_cvtepi8_epi16(pair), to: SIMD16<Int16>.self)
}

/// Tap `t`'s weights of the pair kernel (8 channels written twice), widened.
@inline(__always)
private func pairWeights(_ filter16: UnsafePointer<Int8>, _ t: Int) -> SIMD16<Int16> {
    widen16(UnsafeRawPointer(filter16 + t &* 16).loadUnaligned(as: SIMD16<Int8>.self))
}

/// The pair kernel's 3×3 form (taps summed in pairs): the tap offsets and the widened
/// weights made once for the row, the taps unrolled.
@inline(__always)
private func depthwisePairs8Taps9(_ origin: UnsafePointer<Int8>, _ pixelStep: Int, _ pixels: Int,
                                  _ out: UnsafeMutablePointer<Int8>, _ tapOffsets: UnsafePointer<Int>,
                                  _ filter16: UnsafePointer<Int8>, _ stage: Requantizer16, _ bias: SIMD16<Int32>,
                                  _ zp: SIMD16<Int32>, _ lo: SIMD16<Int32>, _ hi: SIMD16<Int32>, broadcastInput: Bool) {
    @inline(__always) func w(_ t: Int) -> SIMD16<Int16> { pairWeights(filter16, t) }
    let w0 = w(0), w1 = w(1), w2 = w(2), w3 = w(3), w4 = w(4), w5 = w(5), w6 = w(6), w7 = w(7), w8 = w(8)
    let o0 = tapOffsets[0], o1 = tapOffsets[1], o2 = tapOffsets[2], o3 = tapOffsets[3], o4 = tapOffsets[4]
    let o5 = tapOffsets[5], o6 = tapOffsets[6], o7 = tapOffsets[7], o8 = tapOffsets[8]
    var p = 0
    var dst = out
    while p < pixels {
        let a = origin + p &* pixelStep
        let b = p &+ 1 < pixels ? a + pixelStep : a
        @inline(__always) func x(_ o: Int) -> SIMD16<Int16> { pairInput(a, b, o, broadcastInput) }
        var acc = bias &+ widen32(x(o0) &* w0 &+ x(o1) &* w1)
        acc &+= widen32(x(o2) &* w2 &+ x(o3) &* w3)
        acc &+= widen32(x(o4) &* w4 &+ x(o5) &* w5)
        acc &+= widen32(x(o6) &* w6 &+ x(o7) &* w7)
        acc &+= widen32(x(o8) &* w8)
        store(stage.bytes(acc, zp, lo, hi), dst, valid: p &+ 1 < pixels ? 16 : 8)
        dst += 16
        p &+= 2
    }
}

#else

@_silgen_name("perch_vnni_depthwise_pairs8") @inline(never)
public func perchVNNIDepthwisePairs8(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                     out: UnsafeMutablePointer<Int8>, broadcastInput: Bool, taps: Int,
                                     tapOffsets: UnsafePointer<Int>, filter16: UnsafePointer<Int8>,
                                     offsets16: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                                     outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool) {
    fatalError("perchVNNIDepthwisePairs8: this build has no AVX-512 kernels")
}

#endif
