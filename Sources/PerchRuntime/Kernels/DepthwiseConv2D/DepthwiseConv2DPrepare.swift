func prepareDepthwiseConv2D(_ context: PrepareContext) throws(ModelError) -> DepthwiseConv2DKernel {
    var options = DepthwiseConv2DOptions()
    if case .depthwiseConv2D(let o) = context.options { options = o }
    var (tensors, g) = try context.convTensors(strideH: options.strideH, strideW: options.strideW,
                                               dilationH: options.dilationH, dilationW: options.dilationW)
    let input = tensors.input, filter = tensors.filter
    g.filterHeight = filter.shape[1]; g.filterWidth = filter.shape[2]; g.outChannels = filter.shape[3]
    guard filter.shape[0] == 1, g.inChannels > 0, g.outChannels % g.inChannels == 0 else {
        throw context.shapeError("filter \(shapeDescription(filter.shape)) does not fit input \(shapeDescription(input.shape))")
    }
    // The multiplier follows from the shapes; a file's option must agree unless unset (0).
    g.depthMultiplier = g.outChannels / g.inChannels
    guard options.depthMultiplier == 0 || options.depthMultiplier == g.depthMultiplier else {
        throw context.shapeError("depth_multiplier \(options.depthMultiplier) disagrees with \(g.inChannels) -> \(g.outChannels) channels")
    }
    try context.placeWindow(&g, padding: options.padding, output: tensors.output)

    let quantization = try context.convQuantization(tensors, channels: g.outChannels, activation: options.activation)
    let filterData = UnsafePointer(filter.pointer(as: Int8.self))
    guard let path = DepthwiseConv2DKernel.choosePath(g, filter: filterData, quantization: quantization,
                                                      filterIsConstant: filter.isConstant,
                                                      kernelPath: context.kernelPath) else {
        throw context.fail("dilation \(g.dilationH)×\(g.dilationW) over a \(g.inWidth)-pixel row of \(g.inChannels) channels overflows the address range")
    }
    var parts = 1
    if let parallel = context.parallel, case .windows = path {
        parts = parallel.parts(multiplyAccumulates: g.outHeight * g.outWidth * g.outChannels
                                   * g.filterHeight * g.filterWidth,
                               rows: g.outHeight)
    }
    return DepthwiseConv2DKernel(geometry: g, input: UnsafePointer(input.pointer(as: Int8.self)), filter: filterData,
                                 output: tensors.output.pointer(as: Int8.self), quantization: quantization,
                                 path: path, runner: parts > 1 ? context.parallel?.runner : nil, parts: parts)
}

extension DepthwiseConv2DKernel {
    /// The way to run this layer: the in-image windows when the filter is constant, the output
    /// stage vectorizes and the padded copy (if windows leave the image) is of sane size; else
    /// the bounds-checked vector form, else the scalar-stage rows. Nil when a tap's input
    /// offset overflows Int (a corrupt dilation: prepare refuses the model).
    static func choosePath(_ g: Geometry, filter: UnsafePointer<Int8>, quantization q: ConvQuantization,
                           filterIsConstant: Bool, kernelPath: KernelPath) -> Path? {
        var stage: GemmOutputStage?
        if (g.depthMultiplier == 1 || g.depthMultiplier % 8 == 0)
            && GemmOutputStage.shiftsSupported(q.channelMultipliers.shifts.base, count: g.outChannels) {
            let s = GemmOutputStage(channels: g.outChannels, multipliers: q.channelMultipliers.multipliers.base,
                                    shifts: q.channelMultipliers.shifts.base, outputZeroPoint: q.outputZeroPoint,
                                    min: q.activation.min, max: q.activation.max)
            if let bias = q.bias { for c in 0..<g.outChannels { s.offsets[c] = bias[c] } }
            stage = s
        }
        let padding = DepthwisePadding(g)
        var padded: OwnedBuffer<Int8>?
        if padding.needed && filterIsConstant && g.outHeight > 0 && g.outWidth > 0,
           let count = paddedImageCount(g, height: padding.height, width: padding.width) {
            padded = OwnedBuffer(count: count + 16, initialValue: Int8(truncatingIfNeeded: q.inputZeroPoint))
        }
        let width = padded != nil ? padding.width : g.inWidth
        // Checked even when unused: a hostile dilation times a huge row would overflow.
        guard let tapOffsets = tapInputOffsets(g, rowWidth: width) else { return nil }
        if let stage, filterIsConstant && (padded != nil || !padding.needed) {
            let windows = DepthwiseWindows(g, filter: filter, quantization: q, stage: stage, tapOffsets: tapOffsets,
                                           padded: padded, width: width, kernelPath: kernelPath)
            return .windows(windows)
        }
        if let stage { return .vector(stage) }
        return .rows(OwnedBuffer(count: g.outChannels + 16, initialValue: 0))
    }

    /// Input offsets of each window tap in a row-major input `rowWidth` pixels wide, or nil
    /// when one overflows Int.
    static func tapInputOffsets(_ g: Geometry, rowWidth: Int) -> OwnedBuffer<Int>? {
        let offsets = OwnedBuffer<Int>(count: g.filterHeight * g.filterWidth, initialValue: 0)
        for fy in 0..<g.filterHeight {
            for fx in 0..<g.filterWidth {
                let offset = fy.multipliedReportingOverflow(by: g.dilationH)
                let row = offset.partialValue.multipliedReportingOverflow(by: rowWidth)
                let column = fx.multipliedReportingOverflow(by: g.dilationW)
                let pixel = row.partialValue.addingReportingOverflow(column.partialValue)
                let bytes = pixel.partialValue.multipliedReportingOverflow(by: g.inChannels)
                if offset.overflow || row.overflow || column.overflow || pixel.overflow || bytes.overflow {
                    return nil
                }
                offsets[fy * g.filterWidth + fx] = bytes.partialValue
            }
        }
        return offsets
    }

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
}

/// The zero-point border every window needs: rows below and columns right of the image
/// that the last windows reach, besides the leading padding.
struct DepthwisePadding {
    let bottom: Int, right: Int
    let needed: Bool
    /// The padded image's size.
    let height: Int, width: Int

    init(_ g: ConvGeometry) {
        let neededH = (g.outHeight - 1) * g.strideH + (g.filterHeight - 1) * g.dilationH + 1
        let neededW = (g.outWidth - 1) * g.strideW + (g.filterWidth - 1) * g.dilationW + 1
        bottom = max(0, neededH - g.inHeight - g.padTop)
        right = max(0, neededW - g.inWidth - g.padLeft)
        needed = g.padTop > 0 || g.padLeft > 0 || bottom > 0 || right > 0
        height = g.inHeight + g.padTop + bottom
        width = needed ? g.inWidth + g.padLeft + right : g.inWidth
    }
}
