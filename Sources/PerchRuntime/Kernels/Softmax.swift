/// SOFTMAX, int8 in and int8 out (output scale 1/256, zero point -128), along the last
/// dimension, as TFLite Micro's int8 path (`reference_ops::Softmax<int8, int8>`): the
/// integer gemmlowp algorithm with `input_multiplier`/`left_shift` from
/// `PreprocessSoftmaxScaling(beta, input_scale, kScaledDiffIntegerBits = 5)` and `diff_min`
/// from `CalculateInputRadius`. No float exp is involved.
///
/// Because a difference `x - max` of int8 values takes only 256 values, exp of each
/// possible difference is computed exactly once at prepare (same integer function).
final class SoftmaxKernel: Kernel {
    let input: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    let rows: Int
    let depth: Int
    /// expTable[d] = exp_on_negative_values(rescaled(-d)) in Q0, or -1 when -d < diff_min
    /// (the element then contributes nothing and outputs -128).
    let expTable: OwnedBuffer<Int32>

    init(input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, rows: Int, depth: Int,
         expTable: OwnedBuffer<Int32>) {
        self.input = input
        self.output = output
        self.rows = rows
        self.depth = depth
        self.expTable = expTable
    }

    override func invoke() {
        let table = expTable.base
        for r in 0..<rows {
            let row = input + r &* depth
            let out = output + r &* depth
            var maxValue = Int8.min
            for c in 0..<depth { maxValue = max(maxValue, row[c]) }
            var sumOfExps: Int32 = 0   // Q12
            for c in 0..<depth {
                let e = table[Int(maxValue) &- Int(row[c])]
                if e >= 0 { sumOfExps &+= roundingDivideByPOT(e, 12) }
            }
            let (scale, bitsOverUnit) = reciprocal(sumOfExps, integerDigits: 12)
            let exponent = bitsOverUnit &+ 31 &- 8
            for c in 0..<depth {
                let e = table[Int(maxValue) &- Int(row[c])]
                if e < 0 {
                    out[c] = -128
                    continue
                }
                let unsaturated = roundingDivideByPOT(saturatingRoundingDoublingHighMul(scale, e), exponent)
                out[c] = clampToInt8(unsaturated &- 128, -128, 127)
            }
        }
    }
}

/// `PreprocessSoftmaxScaling` + `CalculateInputRadius` (quantization_util.cc, float build).
struct SoftmaxScaling {
    var multiplier: Int32
    var leftShift: Int
    var diffMin: Int32

    static let scaledDiffIntegerBits = 5

    init?(beta: Double, inputScale: Double) {
        let maxRealMultiplier = Double((Int64(1) << 31) - 1)
        let real = min(beta * inputScale * Double(1 << (31 - SoftmaxScaling.scaledDiffIntegerBits)), maxRealMultiplier)
        // QuantizeMultiplierGreaterThanOne requires > 1 (a CHECK in TFLite).
        guard real > 1 else { return nil }
        let q = QuantizedMultiplier(real)
        guard q.shift >= 0 && q.shift < 32 else { return nil }
        multiplier = q.multiplier
        leftShift = q.shift
        let bits = SoftmaxScaling.scaledDiffIntegerBits
        let maxInputRescaled = 1.0 * Double((1 << bits) - 1) * Double(Int64(1) << (31 - bits))
            / Double(Int64(1) << leftShift)
        diffMin = -Int32(maxInputRescaled.rounded(.down))
    }

    /// exp(beta · input_scale · diff) in Q0 for a difference diff <= 0, or -1 below diff_min.
    func exp(ofDifference diff: Int32) -> Int32 {
        guard diff >= diffMin else { return -1 }
        let rescaled = multiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, leftShift)
        return expOnNegativeValues(rescaled, integerBits: SoftmaxScaling.scaledDiffIntegerBits)
    }
}

func prepareSoftmax(_ context: PrepareContext) throws(ModelError) -> SoftmaxKernel {
    var beta: Float = 1
    if case .softmax(let b) = context.options { beta = b }
    try context.requireInputCount(1...1)
    let input = try context.requireInput(0, "input")
    let output = try context.requireOutput()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    try context.requireNonNegativeDims(input, "input")
    try context.requireSameShape(input, output, "input and output shapes differ")
    guard let depth = input.shape.last, depth > 0 else {
        throw context.shapeError("input must have at least one non-empty dimension")
    }
    let (inputScale, _) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    guard outputZeroPoint == -128, outputScale == 1.0 / 256 else {
        throw context.fail("int8 output must have scale 1/256 and zero point -128")
    }
    guard let scaling = SoftmaxScaling(beta: Double(beta), inputScale: Double(inputScale)) else {
        throw context.fail("beta × input scale \(beta * inputScale) is too small for the integer softmax")
    }
    let table = OwnedBuffer<Int32>(count: 256, initialValue: -1)
    for d in 0..<256 { table[d] = scaling.exp(ofDifference: Int32(-d)) }
    return SoftmaxKernel(input: UnsafePointer(input.pointer(as: Int8.self)), output: output.pointer(as: Int8.self),
                         rows: input.elementCount / depth, depth: depth, expTable: table)
}
