#if arch(arm64)
import PerchNEON
#endif

/// DEPTHWISE_CONV_2D, int8 with per-channel or per-tensor filter scales, depth
/// multiplier, dilation, SAME/VALID padding and fused activation, bit-exact with TFLite
/// Micro's `reference_integer_ops::DepthwiseConvPerChannel`.
///
/// Fast path: channels are the contiguous dimension of input, filter and output, so the
/// accumulators of one output pixel are a row of int32 updated 16 channels at a time
/// per filter tap (taps outside the image are skipped, as in the reference).
final class DepthwiseConv2DKernel: Kernel {
    struct Geometry {
        var batches = 0, inHeight = 0, inWidth = 0, inChannels = 0
        var filterHeight = 0, filterWidth = 0, depthMultiplier = 1
        var outHeight = 0, outWidth = 0, outChannels = 0
        var strideH = 1, strideW = 1, dilationH = 1, dilationW = 1
        var padTop = 0, padLeft = 0
    }

    let g: Geometry
    let input: UnsafePointer<Int8>
    let filter: UnsafePointer<Int8>
    let bias: UnsafePointer<Int32>?
    let output: UnsafeMutablePointer<Int8>
    let inputOffset: Int32
    let outputZeroPoint: Int32
    let activation: ActivationRange
    let channelMultipliers: ChannelMultipliers
    let accumulators: OwnedBuffer<Int32>
    /// Per-channel bias and requantization for the vector output stage; nil when a shift is
    /// out of the vector range or the depth multiplier is neither 1 nor a multiple of 8.
    let stage: GemmOutputStage?
    /// For windows entirely inside the image (constant filter): bias + input offset × Σ taps
    /// of the filter, so the taps multiply raw int8 inputs (the offset term is precomputed).
    let interiorOffsets: OwnedBuffer<Int32>?
    /// Input offsets of each window tap in the (padded) input, row-major over the window.
    let tapInputOffsets: OwnedBuffer<Int>
    /// False when a tap's offset overflows Int (a corrupt dilation); prepare then refuses the model.
    let tapOffsetsFit: Bool
    /// The input surrounded by its zero point wherever a window leaves the image (nil when
    /// no window does): a tap there multiplies (zp - zp) = 0, exactly what the reference's
    /// skipped tap contributes, so every output pixel takes the same path.
    let padded: OwnedBuffer<Int8>?
    let paddedWidth: Int
    let padBottom: Int
    let padRight: Int
    /// True when no filter value is -128: two taps' int8 products then fit an int16 sum.
    let tapPairsFitInt16: Bool
    /// On `.vnni`, multiplier-1 layers of 16·n channels run PerchVNNI's AVX-512 row kernel.
    let kernelPath: KernelPath
    /// On `.vnni`, eight-channel layers (multiplier 1, or 8 on one input channel) run two
    /// pixels per 16 lanes: each tap's weights, the offsets and the output stage repeated twice.
    let pairs8: (filter: OwnedBuffer<Int8>, offsets: OwnedBuffer<Int32>, stage: GemmOutputStage)?
    /// On `.avx2`, layers of 16·n channels or 8 (multiplier 1, or one input channel) run
    /// PerchX86AVX2's `vpmaddwd` rows on this lane-ordered copy of filter and output stage.
    let avx2: AVX2DepthwiseWeights?
    /// The interpreter's threads and the parts the in-image path's output rows are cut into
    /// (1: not split; the bounds-checked paths never are). No per-thread scratch is needed.
    let runner: (any ParallelRunner)?
    let parts: Int
    override var workParts: Int { parts }
    /// The batch the parts are working on (set by the calling thread before it starts them).
    private var currentBatch = 0

    init(geometry: Geometry, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
         bias: UnsafePointer<Int32>?, output: UnsafeMutablePointer<Int8>, inputZeroPoint: Int32,
         outputZeroPoint: Int32, activation: ActivationRange, channelMultipliers: ChannelMultipliers,
         filterIsConstant: Bool = true, kernelPath: KernelPath = .widening, parallel: Parallelism? = nil) {
        self.kernelPath = kernelPath
        g = geometry
        self.input = input
        self.filter = filter
        self.bias = bias
        self.output = output
        inputOffset = 0 &- inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.activation = activation
        self.channelMultipliers = channelMultipliers
        accumulators = OwnedBuffer(count: geometry.outChannels + 16, initialValue: 0)
        if (geometry.depthMultiplier == 1 || geometry.depthMultiplier % 8 == 0)
            && GemmOutputStage.shiftsSupported(channelMultipliers.shifts.base, count: geometry.outChannels) {
            let stage = GemmOutputStage(channels: geometry.outChannels, multipliers: channelMultipliers.multipliers.base,
                                        shifts: channelMultipliers.shifts.base, outputZeroPoint: outputZeroPoint,
                                        min: activation.min, max: activation.max)
            if let bias { for c in 0..<geometry.outChannels { stage.offsets[c] = bias[c] } }
            self.stage = stage
        } else {
            stage = nil
        }
        let taps = geometry.filterHeight * geometry.filterWidth
        let neededH = (geometry.outHeight - 1) * geometry.strideH + (geometry.filterHeight - 1) * geometry.dilationH + 1
        let neededW = (geometry.outWidth - 1) * geometry.strideW + (geometry.filterWidth - 1) * geometry.dilationW + 1
        padBottom = max(0, neededH - geometry.inHeight - geometry.padTop)
        padRight = max(0, neededW - geometry.inWidth - geometry.padLeft)
        let usePadding = geometry.padTop > 0 || geometry.padLeft > 0 || padBottom > 0 || padRight > 0
        paddedWidth = usePadding ? geometry.inWidth + geometry.padLeft + padRight : geometry.inWidth
        if usePadding && filterIsConstant && geometry.outHeight > 0 && geometry.outWidth > 0,
           let count = DepthwiseConv2DKernel.paddedImageCount(geometry, height: geometry.inHeight + geometry.padTop + padBottom,
                                                             width: paddedWidth) {
            padded = OwnedBuffer(count: count + 16, initialValue: Int8(truncatingIfNeeded: inputZeroPoint))
        } else {
            padded = nil
        }
        let layoutWidth = padded != nil ? paddedWidth : geometry.inWidth
        tapInputOffsets = OwnedBuffer(count: taps, initialValue: 0)
        // Checked: a hostile dilation times a huge row would overflow; prepare refuses it.
        var offsetsFit = true
        for fy in 0..<geometry.filterHeight {
            for fx in 0..<geometry.filterWidth {
                let offset = fy.multipliedReportingOverflow(by: geometry.dilationH)
                let row = offset.partialValue.multipliedReportingOverflow(by: layoutWidth)
                let column = fx.multipliedReportingOverflow(by: geometry.dilationW)
                let pixel = row.partialValue.addingReportingOverflow(column.partialValue)
                let bytes = pixel.partialValue.multipliedReportingOverflow(by: geometry.inChannels)
                if offset.overflow || row.overflow || column.overflow || pixel.overflow || bytes.overflow {
                    offsetsFit = false
                } else {
                    tapInputOffsets[fy * geometry.filterWidth + fx] = bytes.partialValue
                }
            }
        }
        tapOffsetsFit = offsetsFit
        var fits = true
        for i in 0..<(taps * geometry.outChannels) where filter[i] == -128 { fits = false; break }
        tapPairsFitInt16 = fits
        if kernelPath == .vnni && geometry.outChannels == 8
            && (geometry.depthMultiplier == 1 || geometry.inChannels == 1) && filterIsConstant && stage != nil {
            let filter16 = OwnedBuffer<Int8>(count: taps * 16, initialValue: 0)
            for t in 0..<taps { for j in 0..<16 { filter16[t * 16 + j] = filter[t * 8 + j % 8] } }
            var multipliers = [Int32](), shifts = [Int]()
            for j in 0..<16 {
                multipliers.append(channelMultipliers.multipliers[j % 8])
                shifts.append(channelMultipliers.shifts[j % 8])
            }
            let stage16 = multipliers.withUnsafeBufferPointer { m in
                shifts.withUnsafeBufferPointer { s in
                    GemmOutputStage(channels: 16, multipliers: m.baseAddress!, shifts: s.baseAddress!,
                                    outputZeroPoint: outputZeroPoint, min: activation.min, max: activation.max)
                }
            }
            pairs8 = (filter16, OwnedBuffer(count: 16, initialValue: 0), stage16)
        } else {
            pairs8 = nil
        }
        if filterIsConstant && stage != nil && (padded != nil || !usePadding) {
            let offsets = OwnedBuffer<Int32>(count: geometry.outChannels + 8, initialValue: 0)
            let inputOffset = 0 &- inputZeroPoint
            for c in 0..<geometry.outChannels {
                var sum: Int32 = 0
                for t in 0..<taps { sum &+= Int32(filter[t * geometry.outChannels + c]) }
                offsets[c] = (bias?[c] ?? 0) &+ inputOffset &* sum
            }
            interiorOffsets = offsets
            if let pairs8 { for j in 0..<16 { pairs8.offsets[j] = offsets[j % 8] } }
        } else {
            interiorOffsets = nil
        }
        if let parallel, interiorOffsets != nil {
            parts = parallel.parts(
                                    multiplyAccumulates: geometry.outHeight * geometry.outWidth * geometry.outChannels * taps,
                                    rows: geometry.outHeight)
        } else {
            parts = 1
        }
        self.runner = parts > 1 ? parallel?.runner : nil
        if kernelPath == .avx2, let interiorOffsets, let stage,
           geometry.outChannels % 16 == 0 || geometry.outChannels == 8,
           geometry.depthMultiplier == 1 || geometry.inChannels == 1 {
            avx2 = AVX2DepthwiseWeights(filter: filter, channels: geometry.outChannels, taps: taps,
                                        offsets: UnsafePointer(interiorOffsets.base), multipliers: channelMultipliers,
                                        outputZeroPoint: outputZeroPoint, min: stage.min, max: stage.max)
        } else {
            avx2 = nil
        }
    }

    override func invoke() {
        if let stage, let interiorOffsets {
            invokeWindows(stage, interiorOffsets)
        } else if let stage {
            invokeVector(stage)
        } else {
            invokeRows()
        }
    }

    /// Every window through the in-image kernel: the input copied into the zero-point-padded
    /// buffer first when windows leave the image (on the calling thread), then the output rows,
    /// cut over the interpreter's threads when the layer is large enough.
    private func invokeWindows(_ stage: GemmOutputStage, _ interiorOffsets: OwnedBuffer<Int32>) {
        let cin = g.inChannels
        let imageBytes = g.inHeight &* g.inWidth &* cin
        let width = padded != nil ? paddedWidth : g.inWidth
        for b in 0..<g.batches {
            let image = input + b &* imageBytes
            if let padded {
                let rowIn = g.inWidth &* cin
                for y in 0..<g.inHeight {
                    // Raw copyMemory is a memcpy; typed update(from:) is an element loop in
                    // Embedded Swift (a value-witness call per byte).
                    UnsafeMutableRawPointer(padded.base + ((y &+ g.padTop) &* width &+ g.padLeft) &* cin)
                        .copyMemory(from: image + y &* rowIn, byteCount: rowIn)
                }
            }
            if let runner {
                currentBatch = b
                runner.run(self, parts: parts)
            } else {
                windowRows(stage, interiorOffsets, batch: b, rows: 0..<g.outHeight)
            }
        }
    }

    /// Output rows `rows` of batch `batch` (its padded copy already made).
    private func windowRows(_ stage: GemmOutputStage, _ interiorOffsets: OwnedBuffer<Int32>, batch b: Int,
                            rows: Range<Int>) {
        let cin = g.inChannels, cout = g.outChannels, dm = g.depthMultiplier
        let vectorChannels = cout & ~7
        let taps = g.filterHeight &* g.filterWidth
        let tapOffsets = UnsafePointer(tapInputOffsets.base)
        let offsets = UnsafePointer(interiorOffsets.base)
        let parameters = stage.parameters
        let pairs = tapPairsFitInt16
        let imageBytes = g.inHeight &* g.inWidth &* cin
        let width = padded != nil ? paddedWidth : g.inWidth
        let rowBytes = width &* cin
        let pixelStep = g.strideW &* cin
        let image: UnsafePointer<Int8> = padded.map { UnsafePointer($0.base) } ?? input + b &* imageBytes
        var out = output + (b &* g.outHeight &+ rows.lowerBound) &* g.outWidth &* cout
        // One output row; `m` is the depth multiplier, a literal at the call sites below so
        // the multiplier-1 loops compile without its branches (and pair into smull/smlal).
        @inline(__always) func outputRow(_ oy: Int, _ m: Int) {
            var origin = image + oy &* g.strideH &* rowBytes
            var ox = 0
            if cout == 8 {
                // Eight channels: two pixels share one 16-lane step.
                while ox &+ 2 <= g.outWidth {
                    depthwiseTwoPixels8(origin: origin, pixelStep: pixelStep, out: out, dm: m, taps: taps,
                                        tapOffsets: tapOffsets, filter: filter, offsets: offsets,
                                        stage: parameters, pairs: pairs)
                    origin += 2 &* pixelStep
                    out += 16
                    ox &+= 2
                }
            }
            while ox < g.outWidth {
                ox &+= 1
                depthwiseInteriorPixel(origin: origin, out: out, channels: vectorChannels, cout: cout, dm: m,
                                       taps: taps, tapOffsets: tapOffsets, filter: filter, offsets: offsets,
                                       stage: parameters, pairs: pairs)
                var c = vectorChannels
                while c < cout {
                    var a = offsets[c] &- stage.offsets[c]
                    let x = origin + c / dm
                    for t in 0..<taps { a &+= Int32(filter[t &* cout &+ c]) &* Int32(x[tapOffsets[t]]) }
                    out[c] = stage.requantize(a, channel: c)
                    c &+= 1
                }
                origin += pixelStep
                out += cout
            }
        }
        var base = image + rows.lowerBound &* g.strideH &* rowBytes
        #if arch(arm64)
        // aarch64: NEON rows for multiplier 1, 8·n channels, and for 3×3 windows with a
        // multiplier of 8 on one input channel (longer windows of that kind keep the
        // two-pixel path below, measured fewer instructions).
        if cout % 8 == 0 && (dm == 1 || (cin == 1 && cout == 8 && taps == 9)) {
            for _ in rows {
                perchNEONDepthwiseRow(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                      channels: cout, broadcastInput: dm != 1, taps: taps, tapOffsets: tapOffsets,
                                      filter: filter, offsets: offsets, table: UnsafePointer(stage.table.base),
                                      stride: stage.stride, outputZeroPoint: stage.outputZeroPoint,
                                      min: stage.min, max: stage.max, pairs: pairs)
                base += g.strideH &* rowBytes
                out += g.outWidth &* cout
            }
            return
        }
        #endif
        if let avx2 {
            let table = UnsafePointer(avx2.stage.table.base)
            for _ in rows {
                perchAVX2DepthwiseRow(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                      channels: cout, broadcastInput: dm != 1, taps: taps, tapOffsets: tapOffsets,
                                      filter: UnsafePointer(avx2.filter.base), table: table,
                                      stride: avx2.stage.stride, outputZeroPoint: stage.outputZeroPoint,
                                      min: stage.min, max: stage.max)
                base += g.strideH &* rowBytes
                out += g.outWidth &* cout
            }
        } else if let pairs8, interiorOffsets.count >= 8 {
            for _ in rows {
                perchVNNIDepthwisePairs8(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                         broadcastInput: dm != 1, taps: taps, tapOffsets: tapOffsets,
                                         filter16: UnsafePointer(pairs8.filter.base),
                                         offsets16: UnsafePointer(pairs8.offsets.base),
                                         table: UnsafePointer(pairs8.stage.table.base), stride: pairs8.stage.stride,
                                         outputZeroPoint: stage.outputZeroPoint, min: stage.min, max: stage.max,
                                         pairs: pairs)
                base += g.strideH &* rowBytes
                out += g.outWidth &* 8
            }
        } else if kernelPath == .vnni && dm == 1 && cout % 16 == 0 {
            for _ in rows {
                perchVNNIDepthwiseRow(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                      channels: cout, taps: taps, tapOffsets: tapOffsets, filter: filter,
                                      offsets: offsets, table: UnsafePointer(stage.table.base),
                                      stride: stage.stride, outputZeroPoint: stage.outputZeroPoint,
                                      min: stage.min, max: stage.max, pairs: pairs)
                base += g.strideH &* rowBytes
                out += g.outWidth &* cout
            }
        } else if dm == 1 {
            for oy in rows { outputRow(oy, 1) }
        } else {
            for oy in rows { outputRow(oy, dm) }
        }
    }

    /// Eight output channels at a time, their accumulators in registers across every tap of
    /// the window; taps outside the image are skipped as in the reference. Depth multiplier 1
    /// reads 8 input channels, a multiple of 8 broadcasts one input channel over them.
    private func invokeVector(_ stage: GemmOutputStage) {
        let cout = g.outChannels
        let vectorChannels = cout & ~7
        let dm = g.depthMultiplier
        let offset = SIMD8<Int32>(repeating: inputOffset)
        let zp = SIMD8<Int32>(repeating: outputZeroPoint)
        let lo = SIMD8<Int32>(repeating: activation.min), hi = SIMD8<Int32>(repeating: activation.max)
        let rowStride = g.inWidth &* g.inChannels
        var out = output
        for b in 0..<g.batches {
            let inBatch = input + b &* g.inHeight &* rowStride
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                // Valid filter rows for this output row.
                var fy0 = 0, fy1 = g.filterHeight
                while fy0 < fy1 && iy0 &+ fy0 &* g.dilationH < 0 { fy0 &+= 1 }
                while fy1 > fy0 && iy0 &+ (fy1 &- 1) &* g.dilationH >= g.inHeight { fy1 &-= 1 }
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    var fx0 = 0, fx1 = g.filterWidth
                    while fx0 < fx1 && ix0 &+ fx0 &* g.dilationW < 0 { fx0 &+= 1 }
                    while fx1 > fx0 && ix0 &+ (fx1 &- 1) &* g.dilationW >= g.inWidth { fx1 &-= 1 }
                    var c = 0
                    while c < vectorChannels {
                        var acc = loadInt32x8(stage.offsets + c)
                        let inChannel = dm == 1 ? c : c / dm
                        var fy = fy0
                        while fy < fy1 {
                            let inRow = inBatch + ((iy0 &+ fy &* g.dilationH) &* rowStride &+ inChannel)
                            let tapRow = filter + (fy &* g.filterWidth &* cout &+ c)
                            var fx = fx0
                            while fx < fx1 {
                                let pixel = inRow + (ix0 &+ fx &* g.dilationW) &* g.inChannels
                                let x: SIMD8<Int32>
                                if dm == 1 {
                                    x = widenToInt32(loadInt8x8(pixel)) &+ offset
                                } else {
                                    x = SIMD8<Int32>(repeating: Int32(pixel[0]) &+ inputOffset)
                                }
                                acc &+= widenToInt32(loadInt8x8(tapRow + fx &* cout)) &* x
                                fx &+= 1
                            }
                            fy &+= 1
                        }
                        let v = requantize8(acc, stage, c) &+ zp
                        UnsafeMutableRawPointer(out + c).storeBytes(
                            of: truncateToInt8(clampLanes(v, lo, hi)), as: SIMD8<Int8>.self)
                        c &+= 8
                    }
                    // Channels past the last multiple of 8.
                    while c < cout {
                        let inChannel = c / dm
                        var a: Int32 = 0
                        for fy in fy0..<fy1 {
                            for fx in fx0..<fx1 {
                                let iy = iy0 &+ fy &* g.dilationH, ix = ix0 &+ fx &* g.dilationW
                                let x = Int32(inBatch[iy &* rowStride &+ ix &* g.inChannels &+ inChannel])
                                a &+= Int32(filter[(fy &* g.filterWidth &+ fx) &* cout &+ c]) &* (x &+ inputOffset)
                            }
                        }
                        out[c] = stage.requantize(a, channel: c)
                        c &+= 1
                    }
                    out += cout
                }
            }
        }
    }

    /// Accumulators in memory, 16 channels at a time per tap (any depth multiplier).
    private func invokeRows() {
        let cout = g.outChannels
        let acc = accumulators.base
        var out = output
        for b in 0..<g.batches {
            let inBatch = input + b &* g.inHeight &* g.inWidth &* g.inChannels
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    acc.update(repeating: 0, count: cout)
                    for fy in 0..<g.filterHeight {
                        let iy = iy0 &+ fy &* g.dilationH
                        if iy < 0 || iy >= g.inHeight { continue }
                        for fx in 0..<g.filterWidth {
                            let ix = ix0 &+ fx &* g.dilationW
                            if ix < 0 || ix >= g.inWidth { continue }
                            let pixel = inBatch + (iy &* g.inWidth &+ ix) &* g.inChannels
                            let tap = filter + (fy &* g.filterWidth &+ fx) &* cout
                            accumulateTap(pixel, tap, acc)
                        }
                    }
                    for oc in 0..<cout {
                        var a = acc[oc]
                        if let bias { a &+= bias[oc] }
                        a = multiplyByQuantizedMultiplier(a, channelMultipliers.multipliers[oc],
                                                          channelMultipliers.shifts[oc])
                        out[oc] = clampToInt8(a &+ outputZeroPoint, activation.min, activation.max)
                    }
                    out += cout
                }
            }
        }
    }

    /// acc[ic·dm + m] += filter[ic·dm + m] · (pixel[ic] - zp) for one filter tap.
    @inline(__always)
    private func accumulateTap(_ pixel: UnsafePointer<Int8>, _ tap: UnsafePointer<Int8>,
                               _ acc: UnsafeMutablePointer<Int32>) {
        let dm = g.depthMultiplier
        if dm == 1 {
            let offset = SIMD16<Int32>(repeating: inputOffset)
            let count = g.inChannels
            var c = 0
            while c &+ 16 <= count {
                let x = widenToInt32(loadInt8x16(pixel + c)) &+ offset
                let f = widenToInt32(loadInt8x16(tap + c))
                storeInt32x16(loadInt32x16(acc + c) &+ f &* x, acc + c)
                c &+= 16
            }
            while c < count {
                acc[c] &+= Int32(tap[c]) &* (Int32(pixel[c]) &+ inputOffset)
                c &+= 1
            }
            return
        }
        for ic in 0..<g.inChannels {
            let x = Int32(pixel[ic]) &+ inputOffset
            let xs = SIMD16<Int32>(repeating: x)
            let base = ic &* dm
            var m = 0
            while m &+ 16 <= dm {
                let f = widenToInt32(loadInt8x16(tap + (base &+ m)))
                storeInt32x16(loadInt32x16(acc + (base &+ m)) &+ f &* xs, acc + (base &+ m))
                m &+= 16
            }
            while m < dm {
                acc[base &+ m] &+= Int32(tap[base &+ m]) &* x
                m &+= 1
            }
        }
    }
}

extension DepthwiseConv2DKernel: ParallelWork {
    /// Part `part`: a run of output rows of the current batch through the in-image kernel.
    func runPart(_ part: Int, of parts: Int, lane: Int) {
        guard let stage, let interiorOffsets else { return }
        let rows = WorkSplit.range(part: part, of: parts, rows: g.outHeight)
        if !rows.isEmpty { windowRows(stage, interiorOffsets, batch: currentBatch, rows: rows) }
    }
}

extension DepthwiseConv2DKernel {
    /// Elements of one zero-point-padded image, or nil when that copy would be out of
    /// proportion to the image. A huge stride or dilation in a corrupt or hostile file makes
    /// the padding alone gigabytes (found by fuzzing); such layers take the bounds-checked
    /// paths, which skip out-of-image taps as the reference does, instead.
    static func paddedImageCount(_ g: Geometry, height: Int, width: Int) -> Int? {
        let (area, areaOverflow) = height.multipliedReportingOverflow(by: width)
        let (count, countOverflow) = area.multipliedReportingOverflow(by: g.inChannels)
        let image = g.inHeight * g.inWidth * g.inChannels
        guard !areaOverflow, !countOverflow, count <= 4 * image + (1 << 16) else { return nil }
        return count
    }

    /// TFLite Micro's reference loop, transcribed.
    func invokeReference() {
        for b in 0..<g.batches {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    for ic in 0..<g.inChannels {
                        for m in 0..<g.depthMultiplier {
                            let oc = m + ic * g.depthMultiplier
                            let ix0 = ox * g.strideW - g.padLeft
                            let iy0 = oy * g.strideH - g.padTop
                            var acc: Int32 = 0
                            for fy in 0..<g.filterHeight {
                                for fx in 0..<g.filterWidth {
                                    let ix = ix0 + g.dilationW * fx
                                    let iy = iy0 + g.dilationH * fy
                                    if ix >= 0 && ix < g.inWidth && iy >= 0 && iy < g.inHeight {
                                        let x = Int32(input[((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ic])
                                        let f = Int32(filter[(fy * g.filterWidth + fx) * g.outChannels + oc])
                                        acc &+= f &* (x &+ inputOffset)
                                    }
                                }
                            }
                            if let bias { acc &+= bias[oc] }
                            acc = multiplyByQuantizedMultiplier(acc, channelMultipliers.multipliers[oc],
                                                                channelMultipliers.shifts[oc])
                            acc &+= outputZeroPoint
                            output[((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + oc] =
                                clampToInt8(acc, activation.min, activation.max)
                        }
                    }
                }
            }
        }
    }
}

func prepareDepthwiseConv2D(_ context: PrepareContext) throws(ModelError) -> DepthwiseConv2DKernel {
    var options = DepthwiseConv2DOptions()
    if case .depthwiseConv2D(let o) = context.options { options = o }
    try context.requireInputCount(2...3)
    let input = try context.requireInput(0, "input")
    let filter = try context.requireInput(1, "filter")
    let output = try context.requireOutput()
    try context.requireType(input, "input", .int8)
    try context.requireType(filter, "filter", .int8)
    try context.requireType(output, "output", .int8)
    try context.requireRank(input, "input", 4)
    try context.requireRank(filter, "filter", 4)
    try context.requireRank(output, "output", 4)
    guard options.strideH > 0, options.strideW > 0, options.dilationH > 0, options.dilationW > 0 else {
        throw context.fail("strides and dilations must be positive")
    }

    var g = DepthwiseConv2DKernel.Geometry()
    g.batches = input.shape[0]
    g.inHeight = input.shape[1]; g.inWidth = input.shape[2]; g.inChannels = input.shape[3]
    g.filterHeight = filter.shape[1]; g.filterWidth = filter.shape[2]; g.outChannels = filter.shape[3]
    guard filter.shape[0] == 1, g.inChannels > 0, g.outChannels % g.inChannels == 0 else {
        throw context.shapeError("filter \(shapeDescription(filter.shape)) does not fit input \(shapeDescription(input.shape))")
    }
    // The multiplier follows from the shapes; a file's option must agree unless unset (0).
    g.depthMultiplier = g.outChannels / g.inChannels
    guard options.depthMultiplier == 0 || options.depthMultiplier == g.depthMultiplier else {
        throw context.shapeError("depth_multiplier \(options.depthMultiplier) disagrees with \(g.inChannels) -> \(g.outChannels) channels")
    }
    g.strideH = options.strideH; g.strideW = options.strideW
    g.dilationH = options.dilationH; g.dilationW = options.dilationW
    guard let gy = WindowGeometry.compute(padding: options.padding, inSize: g.inHeight, filterSize: g.filterHeight,
                                          stride: g.strideH, dilation: g.dilationH),
          let gx = WindowGeometry.compute(padding: options.padding, inSize: g.inWidth, filterSize: g.filterWidth,
                                          stride: g.strideW, dilation: g.dilationW) else {
        throw context.fail("invalid window geometry")
    }
    g.outHeight = gy.outSize; g.outWidth = gx.outSize
    g.padTop = gy.padBefore; g.padLeft = gx.padBefore
    let expected = [g.batches, g.outHeight, g.outWidth, g.outChannels]
    guard output.shape == expected else {
        throw context.shapeError("output is \(shapeDescription(output.shape)), expected \(shapeDescription(expected))")
    }

    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    let scales = try context.filterScales(filter, channels: g.outChannels)
    let bias = try context.optionalBias(2, count: g.outChannels)
    let activation = try context.activationRange(options.activation, output: output, scale: outputScale,
                                                 zeroPoint: outputZeroPoint)
    let kernel = DepthwiseConv2DKernel(
        geometry: g, input: UnsafePointer(input.pointer(as: Int8.self)),
        filter: UnsafePointer(filter.pointer(as: Int8.self)), bias: bias.map { UnsafePointer($0) },
        output: output.pointer(as: Int8.self), inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint,
        activation: activation,
        channelMultipliers: context.channelMultipliers(inputScale: inputScale, filterScales: scales,
                                                       outputScale: outputScale, channels: g.outChannels),
        filterIsConstant: filter.isConstant, kernelPath: context.kernelPath, parallel: context.parallel)
    guard kernel.tapOffsetsFit else {
        throw context.fail("dilation \(g.dilationH)×\(g.dilationW) over a \(g.inWidth)-pixel row of \(g.inChannels) channels overflows the address range")
    }
    return kernel
}

/// One output pixel whose window lies inside the (padded) image, channels 0..<channels (a
/// multiple of 8): raw int8 inputs times int8 taps, the input offset precomputed in
/// `offsets` (bias + offset × Σ taps), 16 channels at a time then 8; two taps summed in
/// int16 before widening (NEON smull + smlal + saddw; x86 vpmullw) when no filter value is
/// -128. Everything is a parameter so the loops keep it in registers.
@inline(__always)
func depthwiseInteriorPixel(origin: UnsafePointer<Int8>, out: UnsafeMutablePointer<Int8>, channels: Int, cout: Int,
                            dm: Int, taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                            offsets: UnsafePointer<Int32>, stage: OutputStageParameters, pairs: Bool) {
    var c = 0
    while c &+ 16 <= channels {
        let pixel = origin + (dm == 1 ? c : c / dm)
        let tap = filter + c
        @inline(__always) func x(_ t: Int) -> SIMD16<Int16> {
            let p = pixel + tapOffsets[t]
            if dm == 1 { return widenToInt16(loadInt8x16(p)) }
            if dm % 16 == 0 { return SIMD16<Int16>(repeating: Int16(p[0])) }
            return SIMD16(lowHalf: SIMD8<Int16>(repeating: Int16(p[0])), highHalf: SIMD8<Int16>(repeating: Int16(p[1])))
        }
        @inline(__always) func w(_ t: Int) -> SIMD16<Int16> { widenToInt16(loadInt8x16(tap + t &* cout)) }
        var acc = loadInt32x16(offsets + c)
        var t = 0
        if pairs {
            while t &+ 2 <= taps {
                acc &+= widenToInt32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
                t &+= 2
            }
        }
        while t < taps {
            acc &+= widenToInt32(x(t) &* w(t))
            t &+= 1
        }
        let low = stage.finish8(acc.lowHalf, c), high = stage.finish8(acc.highHalf, c &+ 8)
        UnsafeMutableRawPointer(out + c).storeBytes(of: SIMD16(lowHalf: low, highHalf: high), as: SIMD16<Int8>.self)
        c &+= 16
    }
    while c < channels {
        let pixel = origin + (dm == 1 ? c : c / dm)
        let tap = filter + c
        @inline(__always) func x(_ t: Int) -> SIMD8<Int16> {
            let p = pixel + tapOffsets[t]
            return dm == 1 ? widenToInt16(loadInt8x8(p)) : SIMD8<Int16>(repeating: Int16(p[0]))
        }
        @inline(__always) func w(_ t: Int) -> SIMD8<Int16> { widenToInt16(loadInt8x8(tap + t &* cout)) }
        var acc = loadInt32x8(offsets + c)
        var t = 0
        if pairs {
            while t &+ 2 <= taps {
                acc &+= widenToInt32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
                t &+= 2
            }
        }
        while t < taps {
            acc &+= widenToInt32(x(t) &* w(t))
            t &+= 1
        }
        UnsafeMutableRawPointer(out + c).storeBytes(of: stage.finish8(acc, c), as: SIMD8<Int8>.self)
        c &+= 8
    }
}

/// Two neighbouring output pixels of an 8-channel depthwise layer in one 16-lane step
/// (lanes 0...7 the first pixel, 8...15 the second), as depthwiseInteriorPixel.
@inline(__always)
func depthwiseTwoPixels8(origin: UnsafePointer<Int8>, pixelStep: Int, out: UnsafeMutablePointer<Int8>, dm: Int,
                         taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                         offsets: UnsafePointer<Int32>, stage: OutputStageParameters, pairs: Bool) {
    let second = origin + pixelStep
    @inline(__always) func x(_ t: Int) -> SIMD16<Int16> {
        let o = tapOffsets[t]
        if dm == 1 {
            return SIMD16(lowHalf: widenToInt16(loadInt8x8(origin + o)), highHalf: widenToInt16(loadInt8x8(second + o)))
        }
        return SIMD16(lowHalf: SIMD8<Int16>(repeating: Int16(origin[o])),
                      highHalf: SIMD8<Int16>(repeating: Int16(second[o])))
    }
    @inline(__always) func w(_ t: Int) -> SIMD16<Int16> {
        let v = widenToInt16(loadInt8x8(filter + t &* 8))
        return SIMD16(lowHalf: v, highHalf: v)
    }
    let bias = loadInt32x8(offsets)
    var acc = SIMD16(lowHalf: bias, highHalf: bias)
    var t = 0
    if pairs {
        while t &+ 2 <= taps {
            acc &+= widenToInt32(x(t) &* w(t) &+ x(t &+ 1) &* w(t &+ 1))
            t &+= 2
        }
    }
    while t < taps {
        acc &+= widenToInt32(x(t) &* w(t))
        t &+= 1
    }
    let low = stage.finish8(acc.lowHalf, 0), high = stage.finish8(acc.highHalf, 0)
    UnsafeMutableRawPointer(out).storeBytes(of: SIMD16(lowHalf: low, highHalf: high), as: SIMD16<Int8>.self)
}
