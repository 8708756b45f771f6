/// LOGISTIC, int8 (output zero point -128, scale 1/256), as TFLite Micro's
/// `reference_integer_ops::Logistic`: the input rescaled to Q4.27 by a multiplier from a
/// raw `frexp` of `s_in · 2^27` (no renormalisation, unlike QuantizeMultiplier), gemmlowp's
/// fixed-point logistic, saturation outside `input_range_radius`. Computed per possible
/// input value at prepare.
func prepareLogistic(_ context: PrepareContext) throws(ModelError) -> ByteLookupKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (_, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    guard outputZeroPoint == -128 else { throw context.fail("int8 output zero point must be -128") }
    let q = Q4InputScaling(inputScale: inputScale)
    return try context.byteLookup(input: input, output: output) { x in
        let value = x &- inputZeroPoint
        if value <= -q.radius { return -128 }
        if value >= q.radius { return 127 }
        let inQ4 = multiplyByQuantizedMultiplier(value, q.multiplier, q.shift)
        let outQ0 = fixedPointLogistic(inQ4, integerBits: 4)
        return roundingDivideByPOT(outQ0, 31 - 8) &- 128
    }
}

/// Input scaling of int8 LOGISTIC and TANH (logistic_common.cc, tanh.cc): 4 integer bits.
struct Q4InputScaling {
    var multiplier: Int32
    var shift: Int
    var radius: Int32

    init(inputScale: Float) {
        let real = Double(inputScale) * Double(1 << (31 - 4))
        let (fraction, exponent) = frexp(real)
        // static_cast<int32_t>(round(q * 2^31)); 2^31 wraps as on the reference machine.
        multiplier = Int32(truncatingIfNeeded: Int64((fraction * 2147483648.0).rounded(.toNearestOrAwayFromZero)))
        shift = exponent
        // CalculateInputRadius(4, shift, 31) = floor(15 · 2^27 / 2^shift).
        let radiusReal = 15.0 * Double(1 << 27) / Double(sign: .plus, exponent: exponent, significand: 1)
        radius = radiusReal >= 2147483647 ? Int32.max : Int32(radiusReal.rounded(.down))
    }
}
