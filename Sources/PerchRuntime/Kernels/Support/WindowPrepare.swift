/// The prepare shared by CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D and MAX_POOL_2D (what
/// TFLite Micro's conv_common.cc, depthwise_conv_common.cc and pooling_common.cc each
/// compute): int8 NHWC tensors, the window's output size and leading padding on both axes,
/// and a convolution's per-channel requantization and activation range.

/// The filter size, strides, dilations and padding of a windowed op, from its options.
struct WindowShape {
    var filterHeight: Int, filterWidth: Int
    var strideH: Int, strideW: Int
    var dilationH = 1, dilationW = 1
    var padding: Padding
}

/// Where the windows land: output size and leading padding of both spatial axes.
struct WindowPlacement {
    var outHeight: Int, outWidth: Int
    var padTop: Int, padLeft: Int
}

/// The shapes and window of a convolution, CONV_2D or DEPTHWISE_CONV_2D (TFLite's ConvParams).
struct ConvGeometry {
    var batches = 0, inHeight = 0, inWidth = 0, inChannels = 0
    var filterHeight = 0, filterWidth = 0
    var outHeight = 0, outWidth = 0, outChannels = 0
    var strideH = 1, strideW = 1, dilationH = 1, dilationW = 1
    var padTop = 0, padLeft = 0
    /// CONV_2D: channels per filter, and the input channel groups they cover.
    var filterChannels = 0, groups = 1
    /// DEPTHWISE_CONV_2D: output channels per input channel.
    var depthMultiplier = 1
    var filtersPerGroup: Int { outChannels / groups }
    var patchSize: Int { filterHeight * filterWidth * filterChannels }
}

/// The tensors of a convolution: int8 input, filter and output of rank 4 (the bias, input 2,
/// is checked with the quantization).
struct ConvTensors {
    let input: Tensor
    let filter: Tensor
    let output: Tensor
}

/// A convolution's output stage, per output channel: bias, requantization, zero points and
/// the clamp of the fused activation.
struct ConvQuantization {
    let inputZeroPoint: Int32
    let outputZeroPoint: Int32
    let activation: ActivationRange
    let channelMultipliers: ChannelMultipliers
    let bias: UnsafePointer<Int32>?

    /// Channel `c`'s output from its raw sum, as the reference computes it: plus the bias,
    /// times the channel's multiplier, plus the zero point, clamped.
    @inline(__always)
    func output(_ sum: Int32, channel c: Int) -> Int8 {
        var acc = sum
        if let bias { acc &+= bias[c] }
        acc = multiplyByQuantizedMultiplier(acc, channelMultipliers.multipliers[c], channelMultipliers.shifts[c])
        return clampToInt8(acc &+ outputZeroPoint, activation.min, activation.max)
    }
}

extension PrepareContext {
    /// Input `0` (and the filter, input 1, when `filter`) and output `0`: int8, rank 4.
    func requireInt8NHWC(_ input: Tensor, _ output: Tensor, filter: Tensor? = nil) throws(ModelError) {
        try requireType(input, "input", .int8)
        if let filter { try requireType(filter, "filter", .int8) }
        try requireType(output, "output", .int8)
        try requireRank(input, "input", 4)
        if let filter { try requireRank(filter, "filter", 4) }
        try requireRank(output, "output", 4)
    }

    /// CONV_2D's and DEPTHWISE_CONV_2D's tensors (2 or 3 inputs), and the geometry's input
    /// dimensions and positive strides and dilations (the op sets the filter's, then places
    /// the window).
    func convTensors(strideH: Int, strideW: Int, dilationH: Int,
                     dilationW: Int) throws(ModelError) -> (ConvTensors, ConvGeometry) {
        try requireInputCount(2...3)
        let input = try requireInput(0, "input")
        let filter = try requireInput(1, "filter")
        let output = try requireOutput()
        try requireInt8NHWC(input, output, filter: filter)
        guard strideH > 0, strideW > 0, dilationH > 0, dilationW > 0 else {
            throw fail("strides and dilations must be positive")
        }
        var g = ConvGeometry()
        g.batches = input.shape[0]
        g.inHeight = input.shape[1]; g.inWidth = input.shape[2]; g.inChannels = input.shape[3]
        g.strideH = strideH; g.strideW = strideW
        g.dilationH = dilationH; g.dilationW = dilationW
        return (ConvTensors(input: input, filter: filter, output: output), g)
    }

    /// The output size and padding of `g`'s window, its output checked.
    func placeWindow(_ g: inout ConvGeometry, padding: Padding, output: Tensor) throws(ModelError) {
        let window = WindowShape(filterHeight: g.filterHeight, filterWidth: g.filterWidth, strideH: g.strideH,
                                 strideW: g.strideW, dilationH: g.dilationH, dilationW: g.dilationW, padding: padding)
        let p = try placeWindow(window, input: [g.batches, g.inHeight, g.inWidth], output: output,
                                channels: g.outChannels, invalid: "invalid window geometry")
        g.outHeight = p.outHeight; g.outWidth = p.outWidth
        g.padTop = p.padTop; g.padLeft = p.padLeft
    }

    /// Output size and padding of `window` over an input of [batches, height, width] (TFLite's
    /// `ComputePaddingHeightWidth`); the output must be [batches, height, width, `channels`].
    /// `invalid` is the error when no window fits.
    func placeWindow(_ window: WindowShape, input: [Int], output: Tensor, channels: Int,
                     invalid: @autoclosure () -> String) throws(ModelError) -> WindowPlacement {
        guard let y = WindowGeometry.compute(padding: window.padding, inSize: input[1],
                                             filterSize: window.filterHeight, stride: window.strideH,
                                             dilation: window.dilationH),
              let x = WindowGeometry.compute(padding: window.padding, inSize: input[2],
                                             filterSize: window.filterWidth, stride: window.strideW,
                                             dilation: window.dilationW) else {
            throw fail(invalid())
        }
        let expected = [input[0], y.outSize, x.outSize, channels]
        guard output.shape == expected else {
            throw shapeError("output is \(shapeDescription(output.shape)), expected \(shapeDescription(expected))")
        }
        return WindowPlacement(outHeight: y.outSize, outWidth: x.outSize, padTop: y.padBefore, padLeft: x.padBefore)
    }

    /// Per-tensor input and output quantization, per-channel (or broadcast) filter scales,
    /// the optional bias (input 2) of `channels` values, each channel's multiplier and shift
    /// (`PopulateConvolutionQuantizationParams`) and the activation's clamp.
    func convQuantization(_ tensors: ConvTensors, channels: Int,
                          activation: FusedActivation) throws(ModelError) -> ConvQuantization {
        let (inputScale, inputZeroPoint) = try perTensorQuantization(tensors.input, "input")
        let (outputScale, outputZeroPoint) = try perTensorQuantization(tensors.output, "output")
        let scales = try filterScales(tensors.filter, channels: channels)
        let bias = try optionalBias(2, count: channels)
        let range = try activationRange(activation, output: tensors.output, scale: outputScale,
                                        zeroPoint: outputZeroPoint)
        return ConvQuantization(
            inputZeroPoint: inputZeroPoint, outputZeroPoint: outputZeroPoint, activation: range,
            channelMultipliers: channelMultipliers(inputScale: inputScale, filterScales: scales,
                                                   outputScale: outputScale, channels: channels),
            bias: bias.map { UnsafePointer($0) })
    }
}
