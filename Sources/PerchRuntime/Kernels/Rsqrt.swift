/// RSQRT, int8, as TFLite Micro's `elementwise.cc` int8 path: an integer inverse square
/// root (`GetInvSqrtQuantizedMultiplierExp`, Newton-Raphson in gemmlowp fixed point) of
/// `x - zp_in`, then two `MultiplyByQuantizedMultiplier` steps with
/// `QuantizeMultiplier(1 / double(sqrtf(s_in) * s_out))`. The result depends only on
/// the int8 input, so all 256 outputs are computed at prepare and `invoke` is a lookup.
///
/// Inputs below the input zero point (negative reals) make TFLite Micro fail the
/// invocation; `invoke` cannot fail, so they map to the largest value (+inf saturated).

/// TFLite's `GetInvSqrtQuantizedMultiplierExp(input, kReverseShift = -1)`:
/// 1/sqrt(input) as a multiplier and a left shift.
func invSqrtQuantizedMultiplierExp(_ value: Int32) -> (multiplier: Int32, shift: Int) {
    var input = value
    if input <= 1 { return (Int32.max, 0) }
    var outputShift = 11
    while input >= (1 << 29) {
        input /= 4
        outputShift += 1
    }
    let maxLeftShiftBits = countLeadingZeros32(UInt32(bitPattern: input)) - 1
    let maxLeftShiftBitPairs = maxLeftShiftBits / 2
    let leftShiftBitPairs = maxLeftShiftBitPairs - 1
    outputShift -= leftShiftBitPairs
    input <<= Int32(2 * leftShiftBitPairs)
    // Q3 Newton-Raphson iteration for 1/sqrt, starting from x = 1.
    let fixedInput = input >> 1
    let halfInput = saturatingRoundingMultiplyByPOT(fixedInput, -1)
    let halfThree: Int32 = (1 << 28) + (1 << 27)   // 1.5 in Q3
    var x: Int32 = 1 << 28                          // 1.0 in Q3
    for _ in 0..<5 {
        // x*x*x is Q9; Rescale<3> shifts left by 6, saturating.
        let x3 = saturatingRoundingMultiplyByPOT(
            saturatingRoundingDoublingHighMul(saturatingRoundingDoublingHighMul(x, x), x), 6)
        // Q3*Q3 products are Q6; the difference is rescaled to Q3 (left shift by 3).
        x = saturatingRoundingMultiplyByPOT(
            saturatingRoundingDoublingHighMul(halfThree, x) &- saturatingRoundingDoublingHighMul(halfInput, x3), 3)
    }
    let halfSqrt2: Int32 = 1518500250              // sqrt(2)/2 in Q0
    var multiplier = saturatingRoundingDoublingHighMul(x, halfSqrt2)
    if outputShift < 0 {
        multiplier <<= Int32(-outputShift)
        outputShift = 0
    }
    return (multiplier, -outputShift)
}

/// The int8 RSQRT of one quantized value (TFLM `RsqrtEvalQuantized`).
func rsqrtQuantized(_ x: Int8, inputZeroPoint: Int32, outputZeroPoint: Int32, multiplier: QuantizedMultiplier) -> Int8 {
    let value = Int32(x) &- inputZeroPoint
    if value <= 0 { return 127 }   // 0 → kMax in TFLM; negative is an error there.
    let shiftToKeepInteger = 20
    let inv = invSqrtQuantizedMultiplierExp(value)
    let data = multiplyByQuantizedMultiplier(1, inv.multiplier, inv.shift + shiftToKeepInteger)
    let result = multiplyByQuantizedMultiplier(data, multiplier.multiplier, multiplier.shift - shiftToKeepInteger)
        &+ outputZeroPoint
    return clampToInt8(result, -128, 127)
}

func prepareRsqrt(_ context: PrepareContext) throws(ModelError) -> ByteLookupKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    // SetRsqrtOutputMultiplier: sqrtf and the product in float, the reciprocal in double.
    let multiplier = QuantizedMultiplier(1.0 / Double(inputScale.squareRoot() * outputScale))
    return try context.byteLookup(input: input, output: output) { x in
        Int32(rsqrtQuantized(Int8(truncatingIfNeeded: x), inputZeroPoint: inputZeroPoint,
                             outputZeroPoint: outputZeroPoint, multiplier: multiplier))
    }
}
