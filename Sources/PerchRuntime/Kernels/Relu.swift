/// RELU and RELU6, int8, as TFLite Micro's activations: RELU requantizes from the input
/// to the output scale (`QuantizeMultiplier(double(s_in / s_out))`, float ratio) and clamps
/// at the quantized 0; RELU6 clamps the input between its own quantized 0 and 6 (it
/// assumes the output shares the input's quantization). Computed per input value.
func prepareRelu(_ context: PrepareContext) throws(ModelError) -> ByteLookupKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    let q = QuantizedMultiplier(Double(inputScale / outputScale))
    // CalculateReluOpData: max(-128, zp + roundf(0 / scale)) and the type maximum.
    let lower = max(-128, outputZeroPoint)
    return try context.byteLookup(input: input, output: output) { x in
        let v = outputZeroPoint &+ multiplyByQuantizedMultiplier(x &- inputZeroPoint, q.multiplier, q.shift)
        return min(max(v, lower), 127)
    }
}

func prepareRelu6(_ context: PrepareContext) throws(ModelError) -> ByteLookupKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    // FloatToQuantizedType(6, scale, zp): round(6 / scale) in float, plus zp, clamped.
    let six = Double((6.0 / inputScale).rounded(.toNearestOrAwayFromZero)) + Double(inputZeroPoint)
    let lower = inputZeroPoint, upper = Int32(min(max(six, -128), 127))
    return try context.byteLookup(input: input, output: output) { x in
        x > upper ? upper : (x < lower ? lower : x)
    }
}
