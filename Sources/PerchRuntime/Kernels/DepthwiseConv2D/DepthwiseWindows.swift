/// What DEPTHWISE_CONV_2D's in-image path needs, made at prepare: every window lies inside
/// the image or inside its copy surrounded by the input zero point (a tap there multiplies
/// (zp - zp) = 0, exactly what the reference's skipped tap contributes), so every output
/// pixel takes the same loop, and the row kernel of this CPU's path is chosen once.
final class DepthwiseWindows {
    /// The row kernel that runs a row of output pixels.
    enum RowKernel {
        /// aarch64: PerchNEON's rows (multiplier 1 with 8·n channels, or a 3×3 window with
        /// a multiplier of 8 on one input channel).
        case neon
        /// x86 `.avx2`: PerchX86AVX2's `vpmaddwd` rows on a lane-ordered copy of filter and
        /// output stage (16·n channels or 8; multiplier 1 or one input channel).
        case avx2(AVX2DepthwiseWeights)
        /// x86 `.vnni`, eight channels (multiplier 1, or 8 on one input channel): two pixels
        /// per 16 lanes, each tap's weights, the offsets and the output stage repeated twice.
        case vnniPairs8(filter: OwnedBuffer<Int8>, offsets: OwnedBuffer<Int32>, stage: GemmOutputStage)
        /// x86 `.vnni`, multiplier 1 with 16·n channels: PerchVNNI's AVX-512 rows.
        case vnniRows
        /// Swift SIMD, one output pixel (or two of 8 channels) at a time.
        case pixels

        /// Its name in self-checks.
        var name: String {
            switch self {
            case .neon: return "neon"
            case .avx2: return "avx2"
            case .vnniPairs8: return "vnni-pairs8"
            case .vnniRows: return "vnni-rows"
            case .pixels: return "pixels"
            }
        }
    }

    let stage: GemmOutputStage
    /// Bias + input offset × Σ taps per channel, so the taps multiply raw int8 inputs.
    let offsets: OwnedBuffer<Int32>
    /// Input offsets of each window tap in the (padded) input, row-major over the window.
    let tapOffsets: OwnedBuffer<Int>
    /// The zero-point-padded input (nil when no window leaves the image) and its width.
    let padded: OwnedBuffer<Int8>?
    let width: Int
    /// True when no filter value is -128: two taps' int8 products then fit an int16 sum.
    let pairs: Bool
    let rowKernel: RowKernel

    init(_ g: ConvGeometry, filter: UnsafePointer<Int8>, quantization q: ConvQuantization,
         stage: GemmOutputStage, tapOffsets: OwnedBuffer<Int>, padded: OwnedBuffer<Int8>?, width: Int,
         kernelPath: KernelPath) {
        self.stage = stage
        self.tapOffsets = tapOffsets
        self.padded = padded
        self.width = width
        let taps = g.filterHeight * g.filterWidth, cout = g.outChannels
        var fits = true
        for i in 0..<(taps * cout) where filter[i] == -128 { fits = false; break }
        pairs = fits
        offsets = OwnedBuffer<Int32>(count: cout + 8, initialValue: 0)
        let inputOffset = 0 &- q.inputZeroPoint
        for c in 0..<cout {
            var sum: Int32 = 0
            for t in 0..<taps { sum &+= Int32(filter[t * cout + c]) }
            offsets[c] = (q.bias?[c] ?? 0) &+ inputOffset &* sum
        }
        rowKernel = DepthwiseWindows.rowKernel(g, filter: filter, quantization: q, offsets: offsets,
                                                kernelPath: kernelPath)
    }

    /// The first kernel that takes this layer, in the order measured fastest.
    private static func rowKernel(_ g: ConvGeometry, filter: UnsafePointer<Int8>,
                                  quantization q: ConvQuantization, offsets: OwnedBuffer<Int32>,
                                  kernelPath: KernelPath) -> RowKernel {
        let taps = g.filterHeight * g.filterWidth, cout = g.outChannels, dm = g.depthMultiplier
        let oneInput = dm == 1 || g.inChannels == 1
        #if arch(arm64)
        // Longer windows with a multiplier of 8 keep the two-pixel Swift path (measured fewer
        // instructions).
        if cout % 8 == 0 && (dm == 1 || (g.inChannels == 1 && cout == 8 && taps == 9)) { return .neon }
        #endif
        if kernelPath == .avx2 && (cout % 16 == 0 || cout == 8) && oneInput {
            return .avx2(AVX2DepthwiseWeights(filter: filter, channels: cout, taps: taps,
                                              offsets: UnsafePointer(offsets.base), multipliers: q.channelMultipliers,
                                              outputZeroPoint: q.outputZeroPoint, min: q.activation.min,
                                              max: q.activation.max))
        }
        if kernelPath == .vnni && cout == 8 && oneInput {
            let filter16 = OwnedBuffer<Int8>(count: taps * 16, initialValue: 0)
            for t in 0..<taps { for j in 0..<16 { filter16[t * 16 + j] = filter[t * 8 + j % 8] } }
            var multipliers = [Int32](), shifts = [Int]()
            for j in 0..<16 {
                multipliers.append(q.channelMultipliers.multipliers[j % 8])
                shifts.append(q.channelMultipliers.shifts[j % 8])
            }
            let stage16 = multipliers.withUnsafeBufferPointer { m in
                shifts.withUnsafeBufferPointer { s in
                    GemmOutputStage(channels: 16, multipliers: m.baseAddress!, shifts: s.baseAddress!,
                                    outputZeroPoint: q.outputZeroPoint, min: q.activation.min, max: q.activation.max)
                }
            }
            let offsets16 = OwnedBuffer<Int32>(count: 16, initialValue: 0)
            for j in 0..<16 { offsets16[j] = offsets[j % 8] }
            return .vnniPairs8(filter: filter16, offsets: offsets16, stage: stage16)
        }
        if kernelPath == .vnni && dm == 1 && cout % 16 == 0 { return .vnniRows }
        return .pixels
    }
}
