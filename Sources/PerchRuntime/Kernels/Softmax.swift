/// SOFTMAX, int8 in and int8 out (output scale 1/256, zero point -128), along the last
/// dimension, as TFLite Micro's int8 path (`reference_ops::Softmax<int8, int8>`): the
/// integer gemmlowp algorithm with `input_multiplier`/`left_shift` from
/// `PreprocessSoftmaxScaling(beta, input_scale, kScaledDiffIntegerBits = 5)` and `diff_min`
/// from `CalculateInputRadius`. No float exp is involved.
///
/// Because a difference `x - max` of int8 values takes only 256 values, exp of each
/// possible difference is computed exactly once at prepare (same integer function), and so
/// is its Q12 share of the sum. Per row: the max, the sum by table, then the outputs, which
/// are `MultiplyByQuantizedMultiplier(exp, 1/sum, -exponent)` 8 at a time (a vector
/// requantization with the row's reciprocal as multiplier).
final class SoftmaxKernel: Kernel {
    let input: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    let rows: Int
    let depth: Int
    /// expTable[d] = exp_on_negative_values(rescaled(-d)) in Q0, or -1 when -d < diff_min
    /// (the element then contributes nothing and outputs -128).
    let expTable: OwnedBuffer<Int32>
    /// sumTable[d] = RoundingDivideByPOT(expTable[d], 12), 0 where expTable[d] < 0.
    let sumTable: OwnedBuffer<Int32>
    /// One row's exps (depth + 8 entries), looked up once for the sum and read by the vector pass.
    let rowExps: OwnedBuffer<Int32>

    init(input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, rows: Int, depth: Int,
         expTable: OwnedBuffer<Int32>) {
        self.input = input
        self.output = output
        self.rows = rows
        self.depth = depth
        self.expTable = expTable
        sumTable = OwnedBuffer(count: 256, initialValue: 0)
        for d in 0..<256 where expTable[d] >= 0 { sumTable[d] = roundingDivideByPOT(expTable[d], 12) }
        rowExps = OwnedBuffer(count: depth + 8, initialValue: 0)
    }

    override func invoke() {
        let table = expTable.base, shares = sumTable.base, exps = rowExps.base
        for r in 0..<rows {
            let row = input + r &* depth
            let out = output + r &* depth
            var maxValue = Int8.min
            for c in 0..<depth { maxValue = max(maxValue, row[c]) }
            var sumOfExps: Int32 = 0   // Q12
            for c in 0..<depth {
                let d = Int(maxValue) &- Int(row[c])
                sumOfExps &+= shares[d]
                exps[c] = table[d]
            }
            let (scale, bitsOverUnit) = reciprocal(sumOfExps, integerDigits: 12)
            let exponent = bitsOverUnit &+ 31 &- 8
            var c = 0
            let vector = VectorRequantizer(multiplier: scale, shift: 0 &- exponent)
            if vector.exact {
                let offset = SIMD8<Int32>(repeating: -128), lo = SIMD8<Int32>(repeating: -128)
                let hi = SIMD8<Int32>(repeating: 127)
                while c &+ 8 <= depth {
                    let e = loadInt32x8(exps + c)
                    // Lanes whose exp is -1 (below diff_min) output -128: all bits of `skip` set there.
                    let skip = e &>> 31
                    let v = clampLanes(vector.apply(e) &+ offset, lo, hi)
                    let bytes = truncateToInt8((v & ~skip) | (lo & skip))
                    UnsafeMutableRawPointer(out + c).storeBytes(of: bytes, as: SIMD8<Int8>.self)
                    c &+= 8
                }
            }
            while c < depth {
                let e = exps[c]
                if e < 0 {
                    out[c] = -128
                } else {
                    let unsaturated = roundingDivideByPOT(saturatingRoundingDoublingHighMul(scale, e), exponent)
                    out[c] = clampToInt8(unsaturated &- 128, -128, 127)
                }
                c &+= 1
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
