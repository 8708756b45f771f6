/// TANH, int8, as TFLite Micro's `reference_integer_ops::Tanh`: Q4.27 input scaling as
/// LOGISTIC, gemmlowp's fixed-point tanh, output at scale 1/128 (the output zero point is
/// not applied, as in the reference). Computed per possible input value at prepare.
func prepareTanh(_ context: PrepareContext) throws(ModelError) -> ByteLookupKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    _ = try context.perTensorQuantization(output, "output")
    let q = Q4InputScaling(inputScale: inputScale)
    return try context.byteLookup(input: input, output: output) { x in
        let value = x &- inputZeroPoint
        if value <= -q.radius { return -128 }
        if value >= q.radius { return 127 }
        let inQ4 = multiplyByQuantizedMultiplier(value, q.multiplier, q.shift)
        return roundingDivideByPOT(fixedPointTanh(inQ4, integerBits: 4), 31 - 7)
    }
}
