/// Depthwise convolution rows for AVX2: windows entirely inside the (zero-point-padded)
/// input, raw int8 inputs, the input offset folded into the accumulators' start values.
///
/// Two taps at a time go through one `vpmaddwd`: the two taps' inputs, sign-extended to
/// int16, are interleaved by `vpunpcklwd`/`vpunpckhwd`, and the weights were interleaved
/// the same way at prepare (PerchRuntime's AVX2DepthwiseWeights), so each int32 lane gets
/// x₀·w₀ + x₁·w₁ exactly (an odd last tap is paired with a zero weight). The unpacks work
/// inside 128-bit halves, so a 16-lane block holds channels [0...3, 8...11] (`low`) and
/// [4...7, 12...15] (`high`); the start values and the output-stage table come in that
/// lane order, and `vpackssdw` of low and high puts the channels back in order.
/// Eight-channel layers put two neighbouring pixels in one block: the first in the low
/// 128-bit half, the second in the high one (the table then repeats channels 0...3 / 4...7).

#if PERCH_AVX2 && arch(x86_64)
import _Builtin_intrinsics.intel

/// One output row of `pixels` pixels, `pixelStep` input bytes apart. `channels` is a multiple
/// of 16, or 8 (then two pixels per block). `broadcastInput`: one input channel feeds every
/// output channel (depth multiplier = channels). `filter`: per 16-channel block, per pair of
/// taps, 16 low then 16 high int16 weights; `table`: the output stage in lane order, its
/// offset row holding the start values.
@_silgen_name("perch_avx2_depthwise_row") @inline(never)
public func perchAVX2DepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                  out: UnsafeMutablePointer<Int8>, channels: Int, broadcastInput: Bool,
                                  taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int16>,
                                  table: UnsafePointer<Int32>, stride: Int,
                                  outputZeroPoint: Int32, min: Int32, max: Int32) {
    let stage = AVX2OutputStage(table: table, stride: stride, zeroPoint: outputZeroPoint, min: min, max: max)
    let blockWeights = ((taps &+ 1) >> 1) &* 32
    if channels == 8 {
        // One block for every pixel pair: its parameters stay in registers.
        let lowChannels = stage.channels(0), highChannels = stage.channels(8)
        var p = 0
        var dst = out
        while p < pixels {
            let a = origin + p &* pixelStep
            let b = p &+ 1 < pixels ? a + pixelStep : a
            @inline(__always) func x(_ t: Int) -> __m256i {
                let o = tapOffsets[t]
                let va = broadcastInput ? splat8(a[o]) : UnsafeRawPointer(a + o).loadUnaligned(as: Int64.self)
                let vb = broadcastInput ? splat8(b[o]) : UnsafeRawPointer(b + o).loadUnaligned(as: Int64.self)
                return _mm256_cvtepi8_epi16(_mm_set_epi64x(vb, va))
            }
            let (low, high) = accumulate(x, taps: taps, filter: filter, low: lowChannels.offset,
                                         high: highChannels.offset)
            let v = bytes16(stage.finish(low, lowChannels), stage.finish(high, highChannels))
            if p &+ 1 < pixels {
                UnsafeMutableRawPointer(dst).storeBytes(of: v, as: __m128i.self)
            } else {
                UnsafeMutableRawPointer(dst).storeBytes(of: _mm_cvtsi128_si64(v), as: Int64.self)
            }
            dst += 16
            p &+= 2
        }
        return
    }
    var pixel = origin
    var dst = out
    for _ in 0..<pixels {
        var c = 0
        while c < channels {
            let input = pixel + (broadcastInput ? 0 : c)
            @inline(__always) func x(_ t: Int) -> __m256i {
                let p = input + tapOffsets[t]
                if broadcastInput { return _mm256_set1_epi16(Int16(p[0])) }
                return _mm256_cvtepi8_epi16(UnsafeRawPointer(p).loadUnaligned(as: __m128i.self))
            }
            let (low, high) = accumulate(x, taps: taps, filter: filter + (c >> 4) &* blockWeights,
                                         low: stage.load(0, c), high: stage.load(0, c &+ 8))
            let v = bytes16(stage.finish(low, channel: c), stage.finish(high, channel: c &+ 8))
            UnsafeMutableRawPointer(dst + c).storeBytes(of: v, as: __m128i.self)
            c &+= 16
        }
        pixel += pixelStep
        dst += channels
    }
}

/// The low and high accumulators of one block over every tap, from their start values.
@inline(__always)
private func accumulate(_ x: (Int) -> __m256i, taps: Int, filter: UnsafePointer<Int16>, low start: __m256i,
                        high startHigh: __m256i) -> (__m256i, __m256i) {
    var low = start, high = startHigh
    var w = filter
    var t = 0
    while t &+ 2 <= taps {
        let x0 = x(t), x1 = x(t &+ 1)
        low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x1), load16(w)))
        high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x1), load16(w + 16)))
        w += 32
        t &+= 2
    }
    if t < taps {
        // The partner's weights are 0: any readable input does.
        let x0 = x(t)
        low = _mm256_add_epi32(low, _mm256_madd_epi16(_mm256_unpacklo_epi16(x0, x0), load16(w)))
        high = _mm256_add_epi32(high, _mm256_madd_epi16(_mm256_unpackhi_epi16(x0, x0), load16(w + 16)))
    }
    return (low, high)
}

@inline(__always)
private func load16(_ p: UnsafePointer<Int16>) -> __m256i {
    UnsafeRawPointer(p).loadUnaligned(as: __m256i.self)
}

/// The byte repeated 8 times.
@inline(__always)
private func splat8(_ v: Int8) -> Int64 {
    Int64(bitPattern: UInt64(UInt8(bitPattern: v)) &* 0x0101_0101_0101_0101)
}

/// Low [0...3 | 8...11] and high [4...7 | 12...15] lanes, in the int8 range, as 16 bytes in order.
@inline(__always)
private func bytes16(_ low: __m256i, _ high: __m256i) -> __m128i {
    let words = _mm256_packs_epi32(low, high)     // halves: lanes 0...7 | 8...15
    let bytes = _mm256_packs_epi16(words, words)  // dwords 0, 1: lanes 0...7; 4, 5: lanes 8...15
    return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 1, 4, 5, 0, 0, 0, 0)))
}

#else

@_silgen_name("perch_avx2_depthwise_row") @inline(never)
public func perchAVX2DepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                                  out: UnsafeMutablePointer<Int8>, channels: Int, broadcastInput: Bool,
                                  taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int16>,
                                  table: UnsafePointer<Int32>, stride: Int,
                                  outputZeroPoint: Int32, min: Int32, max: Int32) {
    fatalError("perchAVX2DepthwiseRow: this build has no AVX2 kernels")
}

#endif
