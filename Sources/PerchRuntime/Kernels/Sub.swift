/// SUB, int8 with broadcasting up to 6-D, as TFLite Micro's quantized SUB: the ADD
/// algorithm with a difference, but its multipliers are computed in *float* first
/// (sub_common.cc: `float twice_max_input_scale`, `(1 << 20) * output_scale` in float),
/// which can change the last bit of a multiplier relative to ADD.
final class SubKernel: Kernel {
    /// Operands, output, broadcast plan and activation range.
    let operands: PreparedBinary
    /// The three fixed-point rescalings (both inputs, then the sum).
    let quantization: AddSubQuantization

    init(_ operands: PreparedBinary, _ quantization: AddSubQuantization) {
        self.operands = operands
        self.quantization = quantization
    }

    override func invoke() {
        quantization.run(operands, negateSecond: true)
    }
}

func prepareSub(_ context: PrepareContext) throws(ModelError) -> SubKernel {
    let p = try prepareBinary(context)
    let twiceMaxInputScale: Float = 2 * max(p.scale1, p.scale2)
    let real1 = Double(p.scale1 / twiceMaxInputScale)
    let real2 = Double(p.scale2 / twiceMaxInputScale)
    let realOutput = Double(twiceMaxInputScale / (Float(1 << AddSubQuantization.leftShift) * p.outputScale))
    guard realOutput > 0 && realOutput < 1 else {
        throw context.fail("output scale is too small for the quantized SUB (multiplier \(realOutput) >= 1)")
    }
    let q = AddSubQuantization(zeroPoint1: p.zeroPoint1, zeroPoint2: p.zeroPoint2, outputZeroPoint: p.outputZeroPoint,
                               real1: real1, real2: real2, realOutput: realOutput)
    return SubKernel(p, q)
}
