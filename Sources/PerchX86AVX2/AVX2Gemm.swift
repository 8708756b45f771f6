/// The x86_64 GEMM micro-kernel for CPUs with AVX2 but without AVX-512 VNNI (AMD EPYC/Zen,
/// most laptops). A module of its own, the only one compiled with `-march=x86-64-v3`
/// (Package.swift), reached by symbol name so its bodies are never inlined into the runtime
/// (compiled for x86-64-v2), and called only when CPUID reports AVX2.
///
/// AVX2 has no int8 dot product that is exact for signed × signed bytes (`vpmaddubsw` is
/// unsigned × signed and saturates its int16 pair sums), so both operands are sign-extended
/// to int16 and multiplied by `vpmaddwd`: 16 products summed in pairs into 8 int32 lanes, at
/// most 2 · 128² per lane, exact. Sums wrap modulo 2^32 as the reference's do.
///
/// Layout (PackedWeights `.avx2`): panels of 8 channels, K padded to 8; per 8 depths four
/// 16-byte groups, group g = channel g's 8 depths then channel g + 4's. One row's 8 depths,
/// widened and repeated in both 128-bit halves, times a group gives channel g's partial
/// sums in the low half and g + 4's in the high half; two rounds of `vphaddd` over the
/// four groups leave channels 0...3 and 4...7 in order, without a permute.
///
/// Tile: 3 rows × 8 channels (12 accumulators + 3 rows + 1 weight group = the 16 ymm
/// registers); per 8 depths 4 weight loads, 3 row loads, 12 `vpmaddwd` + 12 `vpaddd`.
/// Output stage: TFLite's double rounding on 8 lanes (AVX2OutputStage.swift), packed to bytes.

#if PERCH_AVX2 && arch(x86_64)
import _Builtin_intrinsics.intel

@_silgen_name("perch_avx2_available")
public func perchAVX2Available() -> Bool { true }

/// Rows `0..<rowCount` (1...3) of `out` (`ldc` apart) for all `n` channels; `rows` has 3
/// entries readable for `kPadded` bytes; `rowOffsets` (3 entries) are added to their row.
@_silgen_name("perch_avx2_gemm_tile") @inline(never)
public func perchAVX2GemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int) {
    let stage = AVX2OutputStage(table: table, stride: stride, zeroPoint: outputZeroPoint, min: min, max: max)
    var w = weights
    if rowCount == 1 {
        // One row (a fully connected layer's single batch): two chains of 4 accumulators over depth.
        let a0 = rows[0]
        for p in 0..<panels {
            var c0 = zero256(), c1 = zero256(), c2 = zero256(), c3 = zero256()
            var d0 = zero256(), d1 = zero256(), d2 = zero256(), d3 = zero256()
            var k = 0
            while k &+ 16 <= kPadded {
                let x = rowDepths8(a0 + k), y = rowDepths8(a0 + (k &+ 8))
                c0 = madd(c0, x, weightGroup(w)); c1 = madd(c1, x, weightGroup(w + 16))
                c2 = madd(c2, x, weightGroup(w + 32)); c3 = madd(c3, x, weightGroup(w + 48))
                d0 = madd(d0, y, weightGroup(w + 64)); d1 = madd(d1, y, weightGroup(w + 80))
                d2 = madd(d2, y, weightGroup(w + 96)); d3 = madd(d3, y, weightGroup(w + 112))
                w += 128
                k &+= 16
            }
            if k < kPadded {
                let x = rowDepths8(a0 + k)
                c0 = madd(c0, x, weightGroup(w)); c1 = madd(c1, x, weightGroup(w + 16))
                c2 = madd(c2, x, weightGroup(w + 32)); c3 = madd(c3, x, weightGroup(w + 48))
                w += 64
            }
            let sums = channelSums(_mm256_add_epi32(c0, d0), _mm256_add_epi32(c1, d1),
                                   _mm256_add_epi32(c2, d2), _mm256_add_epi32(c3, d3))
            let n0 = p &* 8
            stage.store(sums, rowOffset: rowOffsets[0], stage.channels(n0), valid: n &- n0, out: out + n0)
        }
        return
    }
    let a0 = rows[0], a1 = rows[1], a2 = rows[2]
    for p in 0..<panels {
        var c00 = zero256(), c01 = zero256(), c02 = zero256(), c03 = zero256()
        var c10 = zero256(), c11 = zero256(), c12 = zero256(), c13 = zero256()
        var c20 = zero256(), c21 = zero256(), c22 = zero256(), c23 = zero256()
        var k = 0
        while k < kPadded {
            let x0 = rowDepths8(a0 + k), x1 = rowDepths8(a1 + k), x2 = rowDepths8(a2 + k)
            let w0 = weightGroup(w)
            c00 = madd(c00, x0, w0); c10 = madd(c10, x1, w0); c20 = madd(c20, x2, w0)
            let w1 = weightGroup(w + 16)
            c01 = madd(c01, x0, w1); c11 = madd(c11, x1, w1); c21 = madd(c21, x2, w1)
            let w2 = weightGroup(w + 32)
            c02 = madd(c02, x0, w2); c12 = madd(c12, x1, w2); c22 = madd(c22, x2, w2)
            let w3 = weightGroup(w + 48)
            c03 = madd(c03, x0, w3); c13 = madd(c13, x1, w3); c23 = madd(c23, x2, w3)
            w += 64
            k &+= 8
        }
        let n0 = p &* 8
        let valid = n &- n0
        let params = stage.channels(n0)
        stage.store(channelSums(c00, c01, c02, c03), rowOffset: rowOffsets[0], params, valid: valid, out: out + n0)
        if rowCount > 1 {
            stage.store(channelSums(c10, c11, c12, c13), rowOffset: rowOffsets[1], params, valid: valid,
                        out: out + (ldc &+ n0))
        }
        if rowCount > 2 {
            stage.store(channelSums(c20, c21, c22, c23), rowOffset: rowOffsets[2], params, valid: valid,
                        out: out + (2 &* ldc &+ n0))
        }
    }
}

@inline(__always)
private func zero256() -> __m256i { _mm256_setzero_si256() }

/// 8 int8 depths of a row, sign-extended to int16, in both 128-bit halves.
@inline(__always)
private func rowDepths8(_ p: UnsafePointer<Int8>) -> __m256i {
    _mm256_cvtepi8_epi16(_mm_set1_epi64x(UnsafeRawPointer(p).loadUnaligned(as: Int64.self)))
}

/// One packed group (channel g's 8 depths, then channel g + 4's), sign-extended to int16.
@inline(__always)
private func weightGroup(_ p: UnsafePointer<Int8>) -> __m256i {
    _mm256_cvtepi8_epi16(UnsafeRawPointer(p).loadUnaligned(as: __m128i.self))
}

@inline(__always)
private func madd(_ acc: __m256i, _ x: __m256i, _ w: __m256i) -> __m256i {
    _mm256_add_epi32(acc, _mm256_madd_epi16(x, w))
}

/// Channels 0...7 of a panel from its four groups' partial sums (see the layout above).
@inline(__always)
private func channelSums(_ g0: __m256i, _ g1: __m256i, _ g2: __m256i, _ g3: __m256i) -> __m256i {
    _mm256_hadd_epi32(_mm256_hadd_epi32(g0, g1), _mm256_hadd_epi32(g2, g3))
}

#else

@_silgen_name("perch_avx2_available")
public func perchAVX2Available() -> Bool { false }

@_silgen_name("perch_avx2_gemm_tile") @inline(never)
public func perchAVX2GemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                              weights: UnsafePointer<Int8>, panels: Int, n: Int,
                              table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                              outputZeroPoint: Int32, min: Int32, max: Int32,
                              out: UnsafeMutablePointer<Int8>, ldc: Int) {
    fatalError("perchAVX2GemmTile: this build has no AVX2 kernels")
}

#endif
