/// Shared prepare of AVERAGE_POOL_2D and MAX_POOL_2D (TFLite Micro `pooling_common.cc`):
/// NHWC int8 in and out with the same scale and zero point, window geometry, activation.
struct PoolGeometry {
    var batches = 0, inHeight = 0, inWidth = 0, channels = 0
    var outHeight = 0, outWidth = 0
    var filterHeight = 1, filterWidth = 1, strideH = 1, strideW = 1
    var padTop = 0, padLeft = 0
}

struct PreparedPool {
    var geometry: PoolGeometry
    var input: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
    var activation: ActivationRange
}

func preparePool(_ context: PrepareContext) throws(ModelError) -> PreparedPool {
    var options = Pool2DOptions()
    if case .pool2D(let o) = context.options { options = o }
    try context.requireInputCount(1...1)
    let input = try context.requireInput(0, "input")
    let output = try context.requireOutput()
    try context.requireInt8NHWC(input, output)
    let window = WindowShape(filterHeight: options.filterH, filterWidth: options.filterW,
                             strideH: options.strideH, strideW: options.strideW, padding: options.padding)
    let placement = try context.placeWindow(
        window, input: input.shape, output: output, channels: input.shape[3],
        invalid: "invalid pooling window \(options.filterH)x\(options.filterW) stride \(options.strideH)x\(options.strideW)")
    var g = PoolGeometry()
    g.batches = input.shape[0]; g.inHeight = input.shape[1]; g.inWidth = input.shape[2]; g.channels = input.shape[3]
    g.filterHeight = options.filterH; g.filterWidth = options.filterW
    g.strideH = options.strideH; g.strideW = options.strideW
    g.outHeight = placement.outHeight; g.outWidth = placement.outWidth
    g.padTop = placement.padTop; g.padLeft = placement.padLeft
    let (inScale, inZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outScale, outZeroPoint) = try context.perTensorQuantization(output, "output")
    let difference = inScale - outScale
    guard (difference < 0 ? -difference : difference) <= 1.0e-6, inZeroPoint == outZeroPoint else {
        throw context.fail("input and output quantization must match")
    }
    let activation = try context.activationRange(options.activation, output: output, scale: outScale,
                                                 zeroPoint: outZeroPoint)
    return PreparedPool(geometry: g, input: UnsafePointer(input.pointer(as: Int8.self)),
                        output: output.pointer(as: Int8.self), activation: activation)
}
