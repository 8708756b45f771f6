/// TFLite's output stage on 8 int32 lanes with AVX2, bit-exact with the runtime's scalar
/// `multiplyByQuantizedMultiplier` (double rounding, shifts -31...31, multipliers ≥ 0), read
/// from a GemmOutputStage table: [offset | multiplier | leftShift | rightShift |
/// negatedRightShift | roundingMask | roundingHalf] × stride, channel-major.

#if PERCH_AVX2 && arch(x86_64)
import _Builtin_intrinsics.intel

struct AVX2OutputStage {
    let table: UnsafePointer<Int32>
    let stride: Int
    let zeroPoint: __m256i
    let low: __m256i
    let high: __m256i

    @inline(__always)
    init(table: UnsafePointer<Int32>, stride: Int, zeroPoint: Int32, min: Int32, max: Int32) {
        self.table = table
        self.stride = stride
        self.zeroPoint = _mm256_set1_epi32(zeroPoint)
        low = _mm256_set1_epi32(min)
        high = _mm256_set1_epi32(max)
    }

    /// Row `field` of the table, channels c...c+7.
    @inline(__always)
    func load(_ field: Int, _ c: Int) -> __m256i {
        UnsafeRawPointer(table + (field &* stride &+ c)).loadUnaligned(as: __m256i.self)
    }

    /// Channels c...c+7's parameters, loaded once for every row of a tile (the compiler cannot
    /// tell that the byte stores between rows leave the table alone).
    @inline(__always)
    func channels(_ c: Int) -> AVX2ChannelParameters {
        AVX2ChannelParameters(offset: load(0, c), multiplier: load(1, c), left: load(2, c), right: load(3, c),
                              mask: load(5, c), half: load(6, c))
    }

    /// Requantized, plus the zero point, clamped: still int32 lanes.
    @inline(__always)
    func finish(_ acc: __m256i, _ p: AVX2ChannelParameters) -> __m256i {
        let v = requantize8(acc, multiplier: p.multiplier, left: p.left, right: p.right, mask: p.mask, half: p.half)
        return _mm256_min_epi32(_mm256_max_epi32(_mm256_add_epi32(v, zeroPoint), low), high)
    }

    @inline(__always)
    func finish(_ acc: __m256i, channel c: Int) -> __m256i { finish(acc, channels(c)) }

    /// A GEMM row's 8 channels: plus the channel offsets and the row's offset, finished,
    /// stored as bytes (the first `valid` of them when fewer than 8).
    @inline(__always)
    func store(_ sums: __m256i, rowOffset: Int32, _ p: AVX2ChannelParameters, valid: Int,
               out: UnsafeMutablePointer<Int8>) {
        let x = _mm256_add_epi32(sums, _mm256_add_epi32(p.offset, _mm256_set1_epi32(rowOffset)))
        storeBytes8(finish(x, p), out, valid: valid)
    }
}

/// One group of 8 channels' output-stage parameters, in registers.
struct AVX2ChannelParameters {
    let offset: __m256i
    let multiplier: __m256i
    let left: __m256i
    let right: __m256i
    let mask: __m256i
    let half: __m256i
}

/// MultiplyByQuantizedMultiplier on 8 lanes: `x << left`, SRDHM as (x·m + 2^30) >> 31 from
/// `vpmuldq` on even and odd lanes (the low 32 bits of a logical 64-bit shift equal the
/// arithmetic one's; AVX2 has no 64-bit arithmetic shift), then the rounding right shift,
/// which adds 1 where the remainder exceeds half (plus one for negative values), as
/// gemmlowp's RoundingDivideByPOT.
@inline(__always)
func requantize8(_ x: __m256i, multiplier: __m256i, left: __m256i, right: __m256i, mask: __m256i,
                 half: __m256i) -> __m256i {
    let shifted = _mm256_sllv_epi32(x, left)
    let nudge = _mm256_set1_epi64x(1 << 30)
    let even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(shifted, multiplier), nudge), 31)
    let odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(shifted, 32), _mm256_srli_epi64(multiplier, 32)),
                               nudge)
    let oddLanes = _mm256_setr_epi32(0, -1, 0, -1, 0, -1, 0, -1)
    let product = _mm256_blendv_epi8(even, _mm256_slli_epi64(odd, 1), oddLanes)
    let remainder = _mm256_and_si256(product, mask)
    let threshold = _mm256_sub_epi32(half, _mm256_srai_epi32(product, 31))
    let roundUp = _mm256_srai_epi32(_mm256_sub_epi32(threshold, remainder), 31)   // -1 where remainder > threshold
    return _mm256_sub_epi32(_mm256_srav_epi32(product, right), roundUp)
}

/// 8 lanes already in the int8 range, as 8 bytes in lane order.
@inline(__always)
func bytes8(_ v: __m256i) -> Int64 {
    let words = _mm256_packs_epi32(v, v)          // per 128-bit half: its 4 lanes twice
    let bytes = _mm256_packs_epi16(words, words)  // dword 0: lanes 0...3, dword 4: lanes 4...7
    let joined = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0))
    return _mm_cvtsi128_si64(_mm256_castsi256_si128(joined))
}

@inline(__always)
func storeBytes8(_ v: __m256i, _ out: UnsafeMutablePointer<Int8>, valid: Int) {
    let b = bytes8(v)
    if valid >= 8 {
        UnsafeMutableRawPointer(out).storeBytes(of: b, as: Int64.self)
    } else {
        for j in 0..<valid { out[j] = Int8(truncatingIfNeeded: b >> (8 &* j)) }
    }
}

#endif
