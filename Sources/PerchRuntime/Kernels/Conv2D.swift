/// CONV_2D, int8 activations and int8 weights with per-channel or per-tensor scales,
/// optional int32 bias, dilation, SAME/VALID padding, fused activation and grouped
/// convolution, bit-exact with TFLite Micro's `reference_integer_ops::ConvPerChannel`
/// (which it uses for per-tensor weights too, broadcasting the one scale).
///
/// Fast path: for each output pixel an im2col row is gathered with padding filled by
/// the input zero point (those taps then contribute `filter * (zp - zp) = 0`, exactly
/// what the reference's skipped taps contribute), and the row is dotted with every
/// filter as a pure int8·int8 product. The zero-point term `-zp * Σ filter` is
/// precomputed per channel. Int32 sums wrap like the reference's, so bits agree.
final class Conv2DKernel: Kernel {
    typealias Geometry = ConvGeometry

    let g: Geometry
    let input: UnsafePointer<Int8>
    let filter: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    let quantization: ConvQuantization
    let filterIsConstant: Bool
    /// -input_zero_point × Σ filter[oc], per output channel.
    let zeroPointCorrection: OwnedBuffer<Int32>
    /// One im2col row (patchSize bytes) and one row of raw dot products.
    let patch: OwnedBuffer<Int8>
    let dots: OwnedBuffer<Int32>
    /// Packed weights and the fused output stage (one group, constant filter); nil falls
    /// back to the per-pixel row dots below.
    let gemm: Gemm?
    /// One engine per thread when split (the first is `gemm`): they share the packed weights and the
    /// output stage, each has its own staging rows and row pointers.
    let lanes: [Gemm]
    /// The interpreter's threads and how many parts the GEMM form is cut into (1: not split).
    let runner: (any ParallelRunner)?
    let parts: Int
    override var workParts: Int { parts }

    init(geometry: Geometry, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
         output: UnsafeMutablePointer<Int8>, quantization q: ConvQuantization, filterIsConstant: Bool,
         kernelPath: KernelPath = .widening, parallel: Parallelism? = nil) {
        self.g = geometry
        self.input = input
        self.filter = filter
        self.output = output
        quantization = q
        self.filterIsConstant = filterIsConstant
        zeroPointCorrection = OwnedBuffer(count: geometry.outChannels, initialValue: 0)
        patch = OwnedBuffer(count: geometry.patchSize, initialValue: 0)
        dots = OwnedBuffer(count: geometry.filtersPerGroup, initialValue: 0)
        if filterIsConstant && geometry.groups == 1
            && GemmOutputStage.shiftsSupported(q.channelMultipliers.shifts.base, count: geometry.outChannels) {
            let weights = PackedWeights(path: kernelPath, n: geometry.outChannels, k: geometry.patchSize,
                                        weights: filter)
            let stage = GemmOutputStage(channels: geometry.outChannels, multipliers: q.channelMultipliers.multipliers.base,
                                        shifts: q.channelMultipliers.shifts.base, outputZeroPoint: q.outputZeroPoint,
                                        min: q.activation.min, max: q.activation.max)
            gemm = Gemm(weights: weights, stage: stage)
        } else {
            gemm = nil
        }
        let pixels = geometry.batches * geometry.outHeight * geometry.outWidth
        if let gemm, let parallel {
            // Cut by output pixels, whole tiles per part.
            parts = parallel.parts(
                                    multiplyAccumulates: pixels * geometry.outChannels * geometry.patchSize,
                                    rows: (pixels + gemm.rowsPerTile - 1) / gemm.rowsPerTile)
        } else {
            parts = 1
        }
        self.runner = parts > 1 ? parallel?.runner : nil
        if let gemm {
            let count = parts > 1 ? parallel?.threads ?? 1 : 1
            lanes = [gemm] + (1..<count).map { _ in Gemm(weights: gemm.weights, stage: gemm.stage) }
        } else {
            lanes = []
        }
        super.init()
        computeZeroPointCorrection()
    }

    private func computeZeroPointCorrection() {
        let k = g.patchSize
        for oc in 0..<g.outChannels {
            zeroPointCorrection[oc] = (0 &- quantization.inputZeroPoint) &* sumInt8(filter + oc &* k, k)
        }
        if let gemm {
            let bias = quantization.bias
            for oc in 0..<g.outChannels { gemm.stage.offsets[oc] = zeroPointCorrection[oc] &+ (bias?[oc] ?? 0) }
        }
    }

    override func invoke() {
        if let runner {
            runner.run(self, parts: parts)
            return
        }
        if let gemm {
            invokeGemm(gemm, pixels: 0..<(g.batches &* g.outHeight &* g.outWidth))
            return
        }
        invokeRowDots()
    }

    /// The GEMM form: output pixels are the rows, a tile of them at a time. A 1×1, stride-1
    /// convolution reads the input in place (its pixels are the rows); otherwise each row is
    /// the pixel's receptive field gathered into a staging row, the input zero point standing
    /// in for padding (those taps cancel against the zero-point correction).
    /// `pixels` is the range of output pixels (all batches flattened) this call computes.
    private func invokeGemm(_ gemm: Gemm, pixels range: Range<Int>) {
        guard !range.isEmpty else { return }
        let pixelsPerImage = g.outHeight &* g.outWidth
        let pixels = range.upperBound
        let inImage = g.inHeight &* g.inWidth &* g.inChannels
        let pointwise = g.filterHeight == 1 && g.filterWidth == 1
        if pointwise && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0
            && g.outHeight == g.inHeight && g.outWidth == g.inWidth {
            let first = range.lowerBound &* g.inChannels
            gemm.run(a: input + first, lda: g.inChannels, m: range.count, readable: g.batches &* inImage &- first,
                     rowOffsets: nil, out: output + range.lowerBound &* g.outChannels, ldc: g.outChannels)
            return
        }
        let zp = Int8(truncatingIfNeeded: quantization.inputZeroPoint)
        let rowBytes = g.filterWidth &* g.filterChannels
        let tile = gemm.rowsPerTile
        let direct = pointwise && gemm.weights.kPadded == g.inChannels
        // The geometry in locals: stores through the staging pointers could alias `self` as far
        // as the compiler knows, so fields read in the loop would be reloaded from memory.
        let inHeight = g.inHeight, inWidth = g.inWidth, inChannels = g.inChannels
        let strideH = g.strideH, strideW = g.strideW, padTop = g.padTop, padLeft = g.padLeft
        let outHeight = g.outHeight, outWidth = g.outWidth, outChannels = g.outChannels
        let filterHeight = g.filterHeight
        let inRowBytes = inWidth &* inChannels
        // The same for the engine's buffers and this kernel's input.
        let rowPointers = gemm.rowPointers, staging = gemm.staging.base, kPadded = gemm.weights.kPadded
        let input = self.input
        // Windows wholly inside the image are copied row by row without checks (the first
        // layer of an image model: 3 rows of 9 bytes per pixel, where the checked gather
        // cost 300 instructions a pixel on aarch64).
        let plainWindows = g.dilationH == 1 && g.dilationW == 1 && g.groups == 1
        let lastInteriorY = inHeight &- filterHeight, lastInteriorX = inWidth &- g.filterWidth
        // The next output pixel, walked without divisions after the first.
        var p0 = range.lowerBound
        var b = p0 / pixelsPerImage, oy = p0 % pixelsPerImage / outWidth, ox = p0 % outWidth
        let windowStep = strideW &* inChannels
        while p0 < pixels {
            let count = min(tile, pixels &- p0)
            // A whole tile on one output row with every window inside the image (most tiles
            // of a first layer): its windows are `windowStep` bytes apart, no test per pixel.
            let iy0 = oy &* strideH &- padTop, ix0 = ox &* strideW &- padLeft
            if plainWindows && !direct && count == tile && ox &+ tile <= outWidth && iy0 >= 0 && iy0 <= lastInteriorY
                && ix0 >= 0 && ix0 &+ (tile &- 1) &* strideW <= lastInteriorX {
                var window = input + (b &* inImage &+ iy0 &* inRowBytes &+ ix0 &* inChannels)
                for r in 0..<tile {
                    let row = staging + r &* kPadded
                    copyRows(from: window, stride: inRowBytes, rows: filterHeight, rowBytes: rowBytes, into: row)
                    rowPointers[r] = UnsafePointer(row)
                    window += windowStep
                }
                ox &+= tile
                if ox == outWidth {
                    ox = 0
                    oy &+= 1
                    if oy == outHeight { oy = 0; b &+= 1 }
                }
                gemm.runTile(rowCount: tile, rowOffsets: nil, out: output + p0 &* outChannels, ldc: outChannels)
                p0 &+= tile
                continue
            }
            for r in 0..<tile {
                if r >= count {
                    rowPointers[r] = rowPointers[count &- 1]
                    continue
                }
                let iy0 = oy &* strideH &- padTop
                let ix0 = ox &* strideW &- padLeft
                let inBatch = input + b &* inImage
                let row = staging + r &* kPadded
                if direct && iy0 >= 0 && iy0 < inHeight && ix0 >= 0 && ix0 < inWidth {
                    rowPointers[r] = inBatch + (iy0 &* inWidth &+ ix0) &* inChannels
                } else if plainWindows && iy0 >= 0 && iy0 <= lastInteriorY && ix0 >= 0 && ix0 <= lastInteriorX {
                    copyRows(from: inBatch + (iy0 &* inRowBytes &+ ix0 &* inChannels), stride: inRowBytes,
                             rows: filterHeight, rowBytes: rowBytes, into: row)
                    rowPointers[r] = UnsafePointer(row)
                } else {
                    gatherPatch(inBatch, iy0: iy0, ix0: ix0, group: 0, zp: zp, rowBytes: rowBytes, into: row)
                    rowPointers[r] = UnsafePointer(row)
                }
                ox &+= 1
                if ox == outWidth {
                    ox = 0
                    oy &+= 1
                    if oy == outHeight { oy = 0; b &+= 1 }
                }
            }
            gemm.runTile(rowCount: count, rowOffsets: nil, out: output + p0 &* outChannels, ldc: outChannels)
            p0 &+= count
        }
    }

    /// Copies `rows` rows of `rowBytes` bytes, `stride` apart in the input, one after another into
    /// `destination`. Rows of 8 to 16 bytes (3×3 windows of 1 to 5 channels) take two
    /// overlapping 8-byte loads and stores each: no byte loop, no read past the row.
    @inline(__always)
    private func copyRows(from source: UnsafePointer<Int8>, stride: Int, rows: Int, rowBytes: Int,
                          into destination: UnsafeMutablePointer<Int8>) {
        var src = source, dst = destination
        if rowBytes >= 8 && rowBytes <= 16 {
            let tail = rowBytes &- 8
            @inline(__always) func copyRow(_ s: UnsafePointer<Int8>, _ d: UnsafeMutablePointer<Int8>) {
                let head = loadInt8x8(s), end = loadInt8x8(s + tail)
                UnsafeMutableRawPointer(d).storeBytes(of: head, as: SIMD8<Int8>.self)
                UnsafeMutableRawPointer(d + tail).storeBytes(of: end, as: SIMD8<Int8>.self)
            }
            if rows == 3 {
                // 3×3 windows, unrolled: no loop counter.
                copyRow(src, dst)
                copyRow(src + stride, dst + rowBytes)
                copyRow(src + 2 &* stride, dst + 2 &* rowBytes)
                return
            }
            for _ in 0..<rows {
                let head = loadInt8x8(src), end = loadInt8x8(src + tail)
                UnsafeMutableRawPointer(dst).storeBytes(of: head, as: SIMD8<Int8>.self)
                UnsafeMutableRawPointer(dst + tail).storeBytes(of: end, as: SIMD8<Int8>.self)
                src += stride
                dst += rowBytes
            }
            return
        }
        for _ in 0..<rows {
            copyBytes(dst, src, rowBytes)
            src += stride
            dst += rowBytes
        }
    }

    /// One output pixel at a time against every filter (grouped or non-constant filters).
    private func invokeRowDots() {
        if !filterIsConstant { computeZeroPointCorrection() }
        let k = g.patchSize
        let perGroup = g.filtersPerGroup
        let zp = Int8(truncatingIfNeeded: quantization.inputZeroPoint)
        let rowBytes = g.filterWidth &* g.filterChannels
        let pointwise = g.filterHeight == 1 && g.filterWidth == 1 && g.groups == 1
        var out = output
        for b in 0..<g.batches {
            let inBatch = input + b &* g.inHeight &* g.inWidth &* g.inChannels
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    for group in 0..<g.groups {
                        let row: UnsafePointer<Int8>
                        if pointwise && iy0 >= 0 && iy0 < g.inHeight && ix0 >= 0 && ix0 < g.inWidth {
                            // 1×1 filter: the pixel's channels are the im2col row.
                            row = inBatch + (iy0 &* g.inWidth &+ ix0) &* g.inChannels
                        } else {
                            gatherPatch(inBatch, iy0: iy0, ix0: ix0, group: group, zp: zp, rowBytes: rowBytes,
                                        into: patch.base)
                            row = UnsafePointer(patch.base)
                        }
                        let firstChannel = group &* perGroup
                        dotInt8Rows(row, filter + firstChannel &* k, rows: perGroup, depth: k, into: dots.base)
                        for j in 0..<perGroup {
                            let oc = firstChannel &+ j
                            out[oc] = quantization.output(dots[j] &+ zeroPointCorrection[oc], channel: oc)
                        }
                    }
                    out += g.outChannels
                }
            }
        }
    }

    /// Copies the receptive field of one output pixel into `patch` in filter order
    /// (y, x, channel), writing the input zero point where the window leaves the image.
    @inline(__always)
    private func gatherPatch(_ inBatch: UnsafePointer<Int8>, iy0: Int, ix0: Int, group: Int,
                             zp: Int8, rowBytes: Int, into destination: UnsafeMutablePointer<Int8>) {
        let cf = g.filterChannels
        let channelOffset = group &* cf
        var dst = destination
        for fy in 0..<g.filterHeight {
            let iy = iy0 &+ fy &* g.dilationH
            if iy < 0 || iy >= g.inHeight {
                fillBytes(dst, zp, rowBytes)
                dst += rowBytes
                continue
            }
            let inRow = inBatch + iy &* g.inWidth &* g.inChannels
            if g.dilationW == 1 && g.groups == 1 {
                // The window row's pixels inside the image are contiguous: zero points before
                // them, one copy, zero points after (no test per pixel).
                let first = Swift.min(g.filterWidth, Swift.max(0, 0 &- ix0))
                let end = Swift.max(first, Swift.min(g.filterWidth, g.inWidth &- ix0))
                fillBytes(dst, zp, first &* cf)
                copyBytes(dst + first &* cf, inRow + (ix0 &+ first) &* cf, (end &- first) &* cf)
                fillBytes(dst + end &* cf, zp, (g.filterWidth &- end) &* cf)
                dst += rowBytes
                continue
            }
            for fx in 0..<g.filterWidth {
                let ix = ix0 &+ fx &* g.dilationW
                if ix < 0 || ix >= g.inWidth {
                    fillBytes(dst, zp, cf)
                } else {
                    copyBytes(dst, inRow + (ix &* g.inChannels &+ channelOffset), cf)
                }
                dst += cf
            }
        }
    }
}

extension Conv2DKernel {
    /// TFLite Micro's reference loop, transcribed: the yardstick the fast path is tested against.
    func invokeReference() {
        let inputOffset = 0 &- quantization.inputZeroPoint
        for b in 0..<g.batches {
            for oy in 0..<g.outHeight {
                let iy0 = oy * g.strideH - g.padTop
                for ox in 0..<g.outWidth {
                    let ix0 = ox * g.strideW - g.padLeft
                    for oc in 0..<g.outChannels {
                        let group = oc / g.filtersPerGroup
                        var acc: Int32 = 0
                        for fy in 0..<g.filterHeight {
                            let iy = iy0 + g.dilationH * fy
                            for fx in 0..<g.filterWidth {
                                let ix = ix0 + g.dilationW * fx
                                if ix < 0 || ix >= g.inWidth || iy < 0 || iy >= g.inHeight { continue }
                                for ic in 0..<g.filterChannels {
                                    let x = Int32(input[((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels
                                                        + ic + group * g.filterChannels])
                                    let f = Int32(filter[((oc * g.filterHeight + fy) * g.filterWidth + fx) * g.filterChannels + ic])
                                    acc &+= f &* (x &+ inputOffset)
                                }
                            }
                        }
                        output[((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + oc] =
                            quantization.output(acc, channel: oc)
                    }
                }
            }
        }
    }
}

func prepareConv2D(_ context: PrepareContext) throws(ModelError) -> Conv2DKernel {
    var options = Conv2DOptions()
    if case .conv2D(let o) = context.options { options = o }
    var (tensors, g) = try context.convTensors(strideH: options.strideH, strideW: options.strideW,
                                               dilationH: options.dilationH, dilationW: options.dilationW)
    let input = tensors.input, filter = tensors.filter
    g.outChannels = filter.shape[0]
    g.filterHeight = filter.shape[1]; g.filterWidth = filter.shape[2]; g.filterChannels = filter.shape[3]
    guard g.filterChannels > 0, g.filterHeight > 0, g.filterWidth > 0,
          g.inChannels % g.filterChannels == 0 else {
        throw context.shapeError("filter \(shapeDescription(filter.shape)) does not fit input \(shapeDescription(input.shape))")
    }
    g.groups = g.inChannels / g.filterChannels
    guard g.groups > 0, g.outChannels % g.groups == 0 else {
        throw context.shapeError("\(g.outChannels) filters cannot be split into \(g.groups) groups")
    }
    try context.placeWindow(&g, padding: options.padding, output: tensors.output)
    let quantization = try context.convQuantization(tensors, channels: g.outChannels, activation: options.activation)
    return Conv2DKernel(
        geometry: g, input: UnsafePointer(input.pointer(as: Int8.self)),
        filter: UnsafePointer(filter.pointer(as: Int8.self)), output: tensors.output.pointer(as: Int8.self),
        quantization: quantization, filterIsConstant: filter.isConstant, kernelPath: context.kernelPath,
        parallel: context.parallel)
}

extension Conv2DKernel: ParallelWork {
    /// Part `part` of the GEMM form: a run of whole tiles of output pixels, on the engine of `lane`.
    func runPart(_ part: Int, of parts: Int, lane: Int) {
        let pixels = g.batches &* g.outHeight &* g.outWidth
        let range = WorkSplit.range(part: part, of: parts, rows: pixels, granule: lanes[0].rowsPerTile)
        if !range.isEmpty { invokeGemm(lanes[lane], pixels: range) }
    }
}
