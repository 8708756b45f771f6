/// The `.widening` GEMM micro-kernel in portable Swift SIMD (x86_64 and any target without
/// the NEON version): 4 rows × 4 channels per tile, 8 depths per step, int8 widened to int32
/// and multiplied (`vpmovsxbd` + `vpmulld` with AVX2). Accumulators wrap modulo 2^32
/// like the reference's, so summation order does not change a bit.

@inline(__always)
private func loadWidened(_ p: UnsafePointer<Int8>) -> SIMD8<Int32> {
    widenToInt32(loadInt8x8(p))
}

/// Output rows `0..<rowCount` (each `ldc` apart from `out`) for every channel, from row
/// pointers `rows[0..<4]` (rows past rowCount repeat a valid row) readable for kPadded bytes.
@inline(__always)
func gemmWideningTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, weights: PackedWeights,
                      stage: GemmOutputStage, rowOffsets: UnsafePointer<Int32>,
                      out: UnsafeMutablePointer<Int8>, ldc: Int) {
    let kPadded = weights.kPadded
    let a0 = rows[0], a1 = rows[1], a2 = rows[2], a3 = rows[3]
    let zp = SIMD4<Int32>(repeating: stage.outputZeroPoint)
    let lo = SIMD4<Int32>(repeating: stage.min), hi = SIMD4<Int32>(repeating: stage.max)
    let ro0 = rowOffsets[0], ro1 = rowOffsets[1], ro2 = rowOffsets[2], ro3 = rowOffsets[3]
    var w = UnsafePointer(weights.data.base)
    for p in 0..<weights.panels {
        var c00 = SIMD8<Int32>(), c01 = SIMD8<Int32>(), c02 = SIMD8<Int32>(), c03 = SIMD8<Int32>()
        var c10 = SIMD8<Int32>(), c11 = SIMD8<Int32>(), c12 = SIMD8<Int32>(), c13 = SIMD8<Int32>()
        var c20 = SIMD8<Int32>(), c21 = SIMD8<Int32>(), c22 = SIMD8<Int32>(), c23 = SIMD8<Int32>()
        var c30 = SIMD8<Int32>(), c31 = SIMD8<Int32>(), c32 = SIMD8<Int32>(), c33 = SIMD8<Int32>()
        var k = 0
        // One step: 8 depths at `k`, weights of the 4 channels `width` bytes apart.
        @inline(__always) func step(_ wk: UnsafePointer<Int8>, _ width: Int) {
            let b0 = loadWidened(wk), b1 = loadWidened(wk + width)
            let b2 = loadWidened(wk + 2 &* width), b3 = loadWidened(wk + 3 &* width)
            let x0 = loadWidened(a0 + k)
            c00 &+= x0 &* b0; c01 &+= x0 &* b1; c02 &+= x0 &* b2; c03 &+= x0 &* b3
            let x1 = loadWidened(a1 + k)
            c10 &+= x1 &* b0; c11 &+= x1 &* b1; c12 &+= x1 &* b2; c13 &+= x1 &* b3
            let x2 = loadWidened(a2 + k)
            c20 &+= x2 &* b0; c21 &+= x2 &* b1; c22 &+= x2 &* b2; c23 &+= x2 &* b3
            let x3 = loadWidened(a3 + k)
            c30 &+= x3 &* b0; c31 &+= x3 &* b1; c32 &+= x3 &* b2; c33 &+= x3 &* b3
        }
        while k &+ 16 <= kPadded {
            step(w, 16)
            k &+= 8
            step(w + 8, 16)
            k &+= 8
            w += 64
        }
        if k < kPadded {
            step(w, 8)
            w += 32
        }
        let n0 = p &* 4
        let multiplier = loadInt32x4(stage.multipliers + n0), offset = loadInt32x4(stage.offsets + n0)
        let left = loadInt32x4(stage.leftShifts + n0), right = loadInt32x4(stage.rightShifts + n0)
        let mask = loadInt32x4(stage.roundingMasks + n0), half = loadInt32x4(stage.roundingHalves + n0)
        @inline(__always) func store(_ r: Int, _ s: SIMD4<Int32>, _ rowOffset: Int32) {
            let acc = s &+ offset &+ SIMD4<Int32>(repeating: rowOffset)
            let v = multiplyByQuantizedMultiplier4(acc, multiplier: multiplier, left: left, right: right,
                                                   mask: mask, half: half)
            let bytes = truncateToInt8(clampLanes(v &+ zp, lo, hi))
            let dst = out + (r &* ldc &+ n0)
            let valid = weights.n &- n0
            if valid >= 4 {
                UnsafeMutableRawPointer(dst).storeBytes(of: bytes, as: SIMD4<Int8>.self)
            } else {
                for j in 0..<valid { dst[j] = bytes[j] }
            }
        }
        store(0, SIMD4(c00.wrappedSum(), c01.wrappedSum(), c02.wrappedSum(), c03.wrappedSum()), ro0)
        if rowCount > 1 { store(1, SIMD4(c10.wrappedSum(), c11.wrappedSum(), c12.wrappedSum(), c13.wrappedSum()), ro1) }
        if rowCount > 2 { store(2, SIMD4(c20.wrappedSum(), c21.wrappedSum(), c22.wrappedSum(), c23.wrappedSum()), ro2) }
        if rowCount > 3 { store(3, SIMD4(c30.wrappedSum(), c31.wrappedSum(), c32.wrappedSum(), c33.wrappedSum()), ro3) }
    }
}
