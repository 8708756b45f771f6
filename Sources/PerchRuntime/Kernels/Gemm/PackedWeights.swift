#if arch(arm64)
import PerchNEON
#endif

/// Weights of a GEMM-shaped operator (N output channels × K depth, int8) packed once, at
/// prepare, into the layout its micro-kernel reads, with the per-channel output stage.
///
/// Layouts (N padded with zero rows, K with zero columns, so padding contributes 0):
/// - `.widening`: panels of 4 channels; inside a panel, K in blocks of 16 (a last block of
///   8 when K mod 16 is 1...8): block = 4 rows × width bytes, channel-major. K padded to 8.
/// - `.dotProduct`: panels of 8 channels; inside a panel, for every 4 depths, 2 groups
///   × 4 channels × 4 depths (16 bytes each, the operand of one `sdot`). K padded to 4.
/// - `.vnni`: panels of 16 channels; for every 4 depths 16 channels × 4 depths as unsigned
///   bytes w + 128 (the operand of one `vpdpbusd`), padding 0. K padded to 4.
/// - `.avx2`: panels of 8 channels; for every 8 depths 4 groups of 16 bytes, group g =
///   channel g's 8 depths then channel g + 4's (PerchX86AVX2 sums them with `vphaddd` into
///   channel order). K padded to 8.
final class PackedWeights {
    let path: KernelPath
    let n: Int
    let k: Int
    /// K rounded up to the layout's step; activation rows must be readable this far.
    let kPadded: Int
    let panelWidth: Int
    let panels: Int
    let data: OwnedBuffer<Int8>
    /// True when no weight is -128: two int8 products then fit an int16 sum (NEON smlal2).
    let pairsFitInt16: Bool

    /// Empty (zero) weights to be packed later; `pairsFitInt16` is for the weights to come.
    init(path: KernelPath, n: Int, k: Int, pairsFitInt16: Bool = false) {
        self.path = path
        self.n = n
        self.k = k
        let layout = PackedWeights.layout(path)
        kPadded = (k + layout.depthStep - 1) & ~(layout.depthStep - 1)
        panelWidth = layout.panelWidth
        panels = (n + panelWidth - 1) / panelWidth
        data = OwnedBuffer(count: panels * panelWidth * kPadded + 64, initialValue: 0)
        self.pairsFitInt16 = pairsFitInt16
    }

    /// Packs rows `weights[n][k]` (row stride `k`), or columns `weights[k][n]` when `transposed`.
    convenience init(path: KernelPath, n: Int, k: Int, weights: UnsafePointer<Int8>, transposed: Bool = false) {
        var fits = true
        for i in 0..<(n * k) where weights[i] == -128 { fits = false; break }
        self.init(path: path, n: n, k: k, pairsFitInt16: fits)
        pack(weights, transposed: transposed)
    }

    /// The layout table: how far K is padded (a power of two) and how many channels a panel holds.
    static func layout(_ path: KernelPath) -> (depthStep: Int, panelWidth: Int) {
        switch path {
        case .widening: return (8, 4)
        case .dotProduct: return (4, 8)
        case .vnni: return (4, 16)
        case .avx2: return (8, 8)
        }
    }

    /// Re-packs new weights of the same shape (non-constant filters, BATCH_MATMUL operands).
    func pack(_ weights: UnsafePointer<Int8>, transposed: Bool = false) {
        let dst = data.base
        @inline(__always) func w(_ row: Int, _ col: Int) -> Int8 {
            guard row < n && col < k else { return 0 }
            return transposed ? weights[col &* n &+ row] : weights[row &* k &+ col]
        }
        let panelBytes = panelWidth * kPadded
        switch path {
        case .widening:
            // Row by row rather than through `w` byte by byte: a BATCH_MATMUL whose operand is
            // not constant packs it at every inference (the multimodal model's attention).
            for p in 0..<panels {
                var offset = p * panelBytes
                var k0 = 0
                while k0 < kPadded {
                    let width = kPadded - k0 >= 16 ? 16 : 8
                    let valid = Swift.max(0, Swift.min(width, k - k0))
                    for r in 0..<4 {
                        let row = p * 4 + r, out = dst + offset + r * width
                        var c = 0
                        if row < n {
                            if transposed {
                                var src = weights + k0 * n + row
                                while c < valid { out[c] = src[0]; src += n; c += 1 }
                            } else {
                                copyBytes(out, weights + row * k + k0, valid)
                                c = valid
                            }
                        }
                        fillBytes(out + c, 0, width - c)
                    }
                    offset += 4 * width
                    k0 += width
                }
            }
        case .dotProduct:
            for p in 0..<panels {
                var offset = p * panelBytes
                for k0 in stride(from: 0, to: kPadded, by: 4) {
                    for group in 0..<2 {
                        for r in 0..<4 {
                            for c in 0..<4 { dst[offset + r * 4 + c] = w(p * 8 + group * 4 + r, k0 + c) }
                        }
                        offset += 16
                    }
                }
            }
        case .vnni:
            // Unsigned operand of vpdpbusd: w + 128 as a byte; padding 0 (contributes nothing).
            for p in 0..<panels {
                var offset = p * panelBytes
                for k0 in stride(from: 0, to: kPadded, by: 4) {
                    for r in 0..<16 {
                        for c in 0..<4 {
                            let row = p * 16 + r, col = k0 + c
                            let u: UInt8 = row < n && col < k ? UInt8(truncatingIfNeeded: Int(w(row, col)) + 128) : 0
                            dst[offset + r * 4 + c] = Int8(bitPattern: u)
                        }
                    }
                    offset += 64
                }
            }
        case .avx2:
            for p in 0..<panels {
                var offset = p * panelBytes
                for k0 in stride(from: 0, to: kPadded, by: 8) {
                    for g in 0..<4 {
                        for c in 0..<8 {
                            dst[offset + c] = w(p * 8 + g, k0 + c)
                            dst[offset + 8 + c] = w(p * 8 + g + 4, k0 + c)
                        }
                        offset += 16
                    }
                }
            }
        }
    }

    /// Σ_k weight[row][k] per output channel (for zero-point corrections).
    static func rowSums(_ weights: UnsafePointer<Int8>, n: Int, k: Int, transposed: Bool = false) -> [Int32] {
        var sums = [Int32](repeating: 0, count: n)
        if transposed {
            for kk in 0..<k { for j in 0..<n { sums[j] &+= Int32(weights[kk &* n &+ j]) } }
        } else {
            for j in 0..<n { sums[j] = sumInt8(weights + j &* k, k) }
        }
        return sums
    }
}

/// The per-channel output stage of a GEMM, in structure-of-arrays form padded to a
/// multiple of 8 channels so micro-kernels load 4 or 8 lanes at a time:
/// `out = clamp(MultiplyByQuantizedMultiplier(acc + offset[n] + rowOffset[m], mult[n], shift[n]) + zp)`.
final class GemmOutputStage {
    let channels: Int
    let stride: Int
    /// [offset | multiplier | leftShift | rightShift | negatedRightShift | roundingMask | roundingHalf] × stride.
    let table: OwnedBuffer<Int32>
    let outputZeroPoint: Int32
    let min: Int32
    let max: Int32
    /// True when every channel shifts right by 1...31 and none left (multipliers below 1/2,
    /// the usual case) or has a multiplier of 0: the aarch64 kernels then take the output
    /// stage's short form.
    private(set) var rightShiftsOnly = false

    init(channels: Int, multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int>,
         outputZeroPoint: Int32, min: Int32, max: Int32) {
        self.channels = channels
        stride = (channels + 15) & ~15
        table = OwnedBuffer(count: 7 * stride, initialValue: 0)
        self.outputZeroPoint = outputZeroPoint
        self.min = min
        self.max = max
        for c in 0..<channels { setMultiplier(c, multipliers[c], shifts[c]) }
        rightShiftsOnly = everyShiftIsRight()
    }

    /// One multiplier for every channel (per-tensor scales).
    init(channels: Int, multiplier: QuantizedMultiplier, outputZeroPoint: Int32, min: Int32, max: Int32) {
        self.channels = channels
        stride = (channels + 15) & ~15
        table = OwnedBuffer(count: 7 * stride, initialValue: 0)
        self.outputZeroPoint = outputZeroPoint
        self.min = min
        self.max = max
        for c in 0..<channels { setMultiplier(c, multiplier.multiplier, multiplier.shift) }
        rightShiftsOnly = everyShiftIsRight()
    }

    /// A channel whose multiplier is 0 outputs the zero point whatever its shift (its product
    /// is 0), so it does not count. QuantizeMultiplier gives multiplier 0 and shift 0 to a
    /// scale below 2^-31: vww's later 1×1 layers have such channels (filter scales ~1e-11).
    private func everyShiftIsRight() -> Bool {
        for c in 0..<channels where multipliers[c] != 0 && (leftShifts[c] != 0 || rightShifts[c] < 1) { return false }
        return true
    }

    private func setMultiplier(_ c: Int, _ multiplier: Int32, _ shift: Int) {
        let left = Int32(Swift.max(shift, 0))
        // Right shifts beyond 31 round everything to 0 (roundingDivideByPOT); 31 does the same
        // for every value SRDHM can produce except ±2^31 edge cases, so clamp at 31 like TFLite's
        // NEON path would misbehave: keep the exact value and let the kernels handle ≤ 31.
        let right = Int32(Swift.min(Swift.max(-shift, 0), 31))
        let b = table.base
        b[stride + c] = multiplier
        b[2 * stride + c] = left
        b[3 * stride + c] = right
        b[4 * stride + c] = 0 &- right
        let mask = Int32(truncatingIfNeeded: (Int64(1) << Int64(right)) - 1)
        b[5 * stride + c] = mask
        b[6 * stride + c] = mask >> 1
    }

    /// True when every channel's shift fits the vector kernels' exact range.
    static func shiftsSupported(_ shifts: UnsafePointer<Int>, count: Int) -> Bool {
        for c in 0..<count where shifts[c] < -31 || shifts[c] > 31 { return false }
        return true
    }

    var offsets: UnsafeMutablePointer<Int32> { table.base }
    var multipliers: UnsafeMutablePointer<Int32> { table.base + stride }
    var leftShifts: UnsafeMutablePointer<Int32> { table.base + 2 * stride }
    var rightShifts: UnsafeMutablePointer<Int32> { table.base + 3 * stride }
    var negatedRightShifts: UnsafeMutablePointer<Int32> { table.base + 4 * stride }
    var roundingMasks: UnsafeMutablePointer<Int32> { table.base + 5 * stride }
    var roundingHalves: UnsafeMutablePointer<Int32> { table.base + 6 * stride }

    /// The table's pointers and constants as a value, for loops that must keep them in registers.
    var parameters: OutputStageParameters {
        OutputStageParameters(multipliers: multipliers, leftShifts: leftShifts, rightShifts: rightShifts,
                              negatedRightShifts: negatedRightShifts, masks: roundingMasks, halves: roundingHalves,
                              zeroPoint: SIMD8(repeating: outputZeroPoint), min: SIMD8(repeating: min),
                              max: SIMD8(repeating: max))
    }

    /// The scalar form of one output, for tails and tests.
    @inline(__always)
    func requantize(_ acc: Int32, channel c: Int) -> Int8 {
        let shift = Int(leftShifts[c]) - Int(rightShifts[c])
        let v = multiplyByQuantizedMultiplier(acc &+ offsets[c], multipliers[c], shift)
        return clampToInt8(v &+ outputZeroPoint, min, max)
    }
}

/// GemmOutputStage's per-channel arrays and constants, copied out of the class.
struct OutputStageParameters {
    let multipliers: UnsafePointer<Int32>
    let leftShifts: UnsafePointer<Int32>
    let rightShifts: UnsafePointer<Int32>
    let negatedRightShifts: UnsafePointer<Int32>
    let masks: UnsafePointer<Int32>
    let halves: UnsafePointer<Int32>
    let zeroPoint: SIMD8<Int32>
    let min: SIMD8<Int32>
    let max: SIMD8<Int32>

    init(multipliers: UnsafeMutablePointer<Int32>, leftShifts: UnsafeMutablePointer<Int32>,
         rightShifts: UnsafeMutablePointer<Int32>, negatedRightShifts: UnsafeMutablePointer<Int32>,
         masks: UnsafeMutablePointer<Int32>,
         halves: UnsafeMutablePointer<Int32>, zeroPoint: SIMD8<Int32>, min: SIMD8<Int32>, max: SIMD8<Int32>) {
        self.multipliers = UnsafePointer(multipliers)
        self.leftShifts = UnsafePointer(leftShifts)
        self.rightShifts = UnsafePointer(rightShifts)
        self.negatedRightShifts = UnsafePointer(negatedRightShifts)
        self.masks = UnsafePointer(masks)
        self.halves = UnsafePointer(halves)
        self.zeroPoint = zeroPoint
        self.min = min
        self.max = max
    }

    /// Requantizes, adds the zero point, clamps and narrows 8 channels starting at `c`.
    @inline(__always)
    func finish8(_ acc: SIMD8<Int32>, _ c: Int) -> SIMD8<Int8> {
        @inline(__always) func half(_ v: SIMD4<Int32>, _ c: Int) -> SIMD4<Int32> {
            #if arch(arm64)
            // The table's negated shifts: no `neg` per call.
            return perchNEONMultiplyByQuantizedMultiplier(v, loadInt32x4(multipliers + c), loadInt32x4(leftShifts + c),
                                                          loadInt32x4(negatedRightShifts + c))
            #else
            return multiplyByQuantizedMultiplier4(v, multiplier: loadInt32x4(multipliers + c),
                                                  left: loadInt32x4(leftShifts + c), right: loadInt32x4(rightShifts + c),
                                                  mask: loadInt32x4(masks + c), half: loadInt32x4(halves + c))
            #endif
        }
        let v = SIMD8(lowHalf: half(acc.lowHalf, c), highHalf: half(acc.highHalf, c &+ 4)) &+ zeroPoint
        return truncateToInt8(clampLanes(v, min, max))
    }
}
