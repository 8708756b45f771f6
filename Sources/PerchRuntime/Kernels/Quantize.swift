/// QUANTIZE, as TFLite Micro's quantize_common.cc:
/// - float32 → int8/uint8: `round(x / float(scale)) + zp` (C `round` on the float quotient), clamped;
/// - int8/uint8 → int8/uint8 (requantize, including int8↔uint8 and int8→int8 rescale):
///   `MultiplyByQuantizedMultiplier(x - zp_in, QuantizeMultiplier(s_in / s_out)) + zp_out`,
///   clamped — a byte lookup computed at prepare.
final class FloatQuantizeKernel<Output: FixedWidthInteger>: Kernel {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Output>
    let count: Int
    let scale: Float
    let zeroPoint: Int32

    init(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Output>, count: Int, scale: Float, zeroPoint: Int32) {
        self.input = input
        self.output = output
        self.count = count
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    override func invoke() {
        let lo = Int32(Output.min), hi = Int32(Output.max)
        for i in 0..<count {
            let r = (input[i] / scale).rounded(.toNearestOrAwayFromZero)
            // Out-of-range and NaN conversions give INT32_MIN on the reference (x86) build.
            let q: Int32 = (r >= -2147483648.0 && r < 2147483648.0) ? Int32(r) : Int32.min
            output[i] = Output(truncatingIfNeeded: min(max(q &+ zeroPoint, lo), hi))
        }
    }
}

func prepareQuantize(_ context: PrepareContext) throws(ModelError) -> Kernel {
    let (input, output) = try context.unaryTensors()
    guard let q = output.quantization, q.scales.count == 1 else {
        throw context.fail("output '\(output.name)' needs exactly one scale")
    }
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    switch input.type {
    case .float32:
        switch output.type {
        case .int8:
            return FloatQuantizeKernel<Int8>(input: UnsafePointer(input.pointer(as: Float.self)),
                                             output: output.pointer(as: Int8.self), count: input.elementCount,
                                             scale: outputScale, zeroPoint: outputZeroPoint)
        case .uint8:
            return FloatQuantizeKernel<UInt8>(input: UnsafePointer(input.pointer(as: Float.self)),
                                              output: output.pointer(as: UInt8.self), count: input.elementCount,
                                              scale: outputScale, zeroPoint: outputZeroPoint)
        default:
            throw ModelError.unsupportedType("node \(context.nodeIndex) (QUANTIZE): float32 to \(output.type.name)")
        }
    case .int8, .uint8:
        let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
        let m = QuantizedMultiplier(Double(inputScale) / Double(outputScale))
        return try context.byteLookup(input: input, output: output) { x in
            multiplyByQuantizedMultiplier(x &- inputZeroPoint, m.multiplier, m.shift) &+ outputZeroPoint
        }
    default:
        throw ModelError.unsupportedType("node \(context.nodeIndex) (QUANTIZE): input is \(input.type.name)")
    }
}
