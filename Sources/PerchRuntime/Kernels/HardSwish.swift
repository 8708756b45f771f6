/// HARD_SWISH, int8, as TFLite's `reference_ops::HardSwish` (used by TFLite Micro): 16-bit
/// fixed-point arithmetic with int16 multipliers from `DownScaleInt32ToInt16Multiplier`,
/// the scale ratios formed in float (hard_swish_common.cc). Computed per input value.
func prepareHardSwish(_ context: PrepareContext) throws(ModelError) -> ByteLookupKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    let hiresInputScale: Float = (1.0 / 128.0) * inputScale
    let reluishScale: Float = 3.0 / 32768.0
    let outputQ = QuantizedMultiplier(Double(hiresInputScale / outputScale))
    let reluishQ = QuantizedMultiplier(Double(hiresInputScale / reluishScale))
    guard outputQ.shift <= 0 else { throw context.fail("output scale is too small for HARD_SWISH") }
    let outputMultiplier = downScaleToInt16(outputQ.multiplier)
    let reluishMultiplier = downScaleToInt16(reluishQ.multiplier)
    let reluishExponent = reluishQ.shift
    return try context.byteLookup(input: input, output: output) { x in
        let inputValue = Int16(truncatingIfNeeded: x &- inputZeroPoint)
        let hires = Int16(truncatingIfNeeded: Int32(inputValue) &* (1 << 7))
        let preshiftOutput = srdhm16(hires, outputMultiplier)
        var reluish = hires
        if reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, reluishExponent - 1) }
        reluish = srdhm16(reluish, reluishMultiplier)
        if reluishExponent > 0 { reluish = saturatingLeftShift16(reluish, 1) }
        if reluishExponent < 0 { reluish = roundingDivideByPOT16(reluish, -reluishExponent) }
        reluish = Int16(truncatingIfNeeded: (Int32(reluish) + (1 << 15)) >> 1)
        let preshift = saturatingDoublingHighMul16(reluish, preshiftOutput)
        var out = roundingDivideByPOT16(preshift, -outputQ.shift)
        out = Int16(truncatingIfNeeded: Int32(out) &+ outputZeroPoint)
        return Int32(out)
    }
}

/// TFLite `DownScaleInt32ToInt16Multiplier`.
func downScaleToInt16(_ m: Int32) -> Int16 {
    if m >= Int32.max - (1 << 15) { return Int16.max }
    return Int16(truncatingIfNeeded: (m + (1 << 15)) >> 16)
}

/// gemmlowp `SaturatingRoundingDoublingHighMul` for int16.
func srdhm16(_ a: Int16, _ b: Int16) -> Int16 {
    if a == b && a == Int16.min { return Int16.max }
    let ab = Int32(a) * Int32(b)
    let nudge: Int32 = ab >= 0 ? (1 << 14) : (1 - (1 << 14))
    return Int16(truncatingIfNeeded: (ab + nudge) / (1 << 15))
}

/// hard_swish.h `SaturatingDoublingHighMul` (no rounding nudge).
func saturatingDoublingHighMul16(_ a: Int16, _ b: Int16) -> Int16 {
    if a == b && a == Int16.min { return Int16.max }
    return Int16(truncatingIfNeeded: (Int32(a) * Int32(b)) / (1 << 15))
}

/// hard_swish.h `SaturatingLeftShift`.
func saturatingLeftShift16(_ v: Int16, _ amount: Int) -> Int16 {
    let r = Int64(v) * (Int64(1) << Int64(min(max(amount, 0), 40)))
    return Int16(min(max(r, Int64(Int16.min)), Int64(Int16.max)))
}

/// gemmlowp `RoundingDivideByPOT` on int16.
func roundingDivideByPOT16(_ x: Int16, _ exponent: Int) -> Int16 {
    if exponent <= 0 { return x }
    if exponent > 15 { return 0 }
    let mask = Int16(truncatingIfNeeded: (1 << exponent) - 1)
    let remainder = x & mask
    let threshold = (mask >> 1) &+ (x < 0 ? 1 : 0)
    return (x >> Int16(exponent)) &+ (remainder > threshold ? 1 : 0)
}
