/// ADD, int8 with broadcasting up to 6-D, as TFLite Micro's `reference_integer_ops::AddFunc`:
/// both inputs are shifted left by 20 bits, rescaled to twice the larger input scale
/// with their own multipliers, summed, and rescaled to the output (all three multipliers
/// from `QuantizeMultiplierSmallerThanOneExp` on double ratios, add_common.cc).
final class AddKernel: Kernel {
    /// Operands, output, broadcast plan and activation range.
    let operands: PreparedBinary
    /// The three fixed-point rescalings (both inputs, then the sum).
    let quantization: AddSubQuantization

    init(_ operands: PreparedBinary, _ quantization: AddSubQuantization) {
        self.operands = operands
        self.quantization = quantization
    }

    override func invoke() {
        quantization.run(operands, negateSecond: false)
    }
}

/// The fixed-point parameters of quantized ADD and SUB.
struct AddSubQuantization {
    static let leftShift = 20
    var offset1: Int32, multiplier1: Int32, shift1: Int
    var offset2: Int32, multiplier2: Int32, shift2: Int
    var outputOffset: Int32, outputMultiplier: Int32, outputShift: Int
    /// The three rescalings as vector constants (shifts ≤ 0: no left shift).
    let vector1: VectorRequantizer, vector2: VectorRequantizer, vectorOutput: VectorRequantizer

    /// From real multipliers (each < 1), as `QuantizeMultiplierSmallerThanOneExp`.
    init(zeroPoint1: Int32, zeroPoint2: Int32, outputZeroPoint: Int32,
         real1: Double, real2: Double, realOutput: Double) {
        let q1 = QuantizedMultiplier(real1), q2 = QuantizedMultiplier(real2), qo = QuantizedMultiplier(realOutput)
        offset1 = 0 &- zeroPoint1; multiplier1 = q1.multiplier; shift1 = q1.shift
        offset2 = 0 &- zeroPoint2; multiplier2 = q2.multiplier; shift2 = q2.shift
        outputOffset = outputZeroPoint; outputMultiplier = qo.multiplier; outputShift = qo.shift
        vector1 = VectorRequantizer(multiplier: multiplier1, shift: shift1)
        vector2 = VectorRequantizer(multiplier: multiplier2, shift: shift2)
        vectorOutput = VectorRequantizer(multiplier: outputMultiplier, shift: outputShift)
    }

    @inline(__always)
    func scaled1(_ x: Int8) -> Int32 {
        multiplyByQuantizedMultiplierSmallerThanOne((offset1 &+ Int32(x)) &<< 20, multiplier1, shift1)
    }

    @inline(__always)
    func scaled2(_ x: Int8) -> Int32 {
        multiplyByQuantizedMultiplierSmallerThanOne((offset2 &+ Int32(x)) &<< 20, multiplier2, shift2)
    }

    @inline(__always)
    func requantize(_ raw: Int32) -> Int32 {
        multiplyByQuantizedMultiplierSmallerThanOne(raw, outputMultiplier, outputShift) &+ outputOffset
    }


    /// ADD (or SUB with `negateSecond`) over the broadcast plan: 8 outputs per step along each
    /// innermost run, the scalar form for tails and for shifts outside the vector range.
    @inline(__always)
    func run(_ p: PreparedBinary, negateSecond: Bool) {
        let a = p.input1, b = p.input2, out = p.output
        let lo = p.activation.min, hi = p.activation.max
        let v1 = vector1, v2 = vector2, vo = vectorOutput
        @inline(__always) func scalar(_ x: Int8, _ y: Int8) -> Int8 {
            let raw = negateSecond ? scaled1(x) &- scaled2(y) : scaled1(x) &+ scaled2(y)
            return clampToInt8(requantize(raw), lo, hi)
        }
        guard v1.exact && v2.exact && vo.exact && shift1 <= 0 && shift2 <= 0 && outputShift <= 0 else {
            p.plan.forEach { o, i, j in out[o] = scalar(a[i], b[j]) }
            return
        }
        let vo1 = SIMD8<Int32>(repeating: offset1), vo2 = SIMD8<Int32>(repeating: offset2)
        let vzo = SIMD8<Int32>(repeating: outputOffset)
        let vlo = SIMD8<Int32>(repeating: lo), vhi = SIMD8<Int32>(repeating: hi)
        p.plan.forEachRun { o, i, j, count, step1, step2 in
            var k = 0
            while k &+ 8 <= count {
                let x = loadWidened8(a + (i &+ k &* step1), step: step1)
                let y = loadWidened8(b + (j &+ k &* step2), step: step2)
                let s1 = v1.apply((vo1 &+ x) &<< 20), s2 = v2.apply((vo2 &+ y) &<< 20)
                let raw = negateSecond ? s1 &- s2 : s1 &+ s2
                storeClamped8(vo.apply(raw) &+ vzo, vlo, vhi, out + (o &+ k))
                k &+= 8
            }
            while k < count {
                out[o &+ k] = scalar(a[i &+ k &* step1], b[j &+ k &* step2])
                k &+= 1
            }
        }
    }
}

func prepareAdd(_ context: PrepareContext) throws(ModelError) -> AddKernel {
    let p = try prepareBinary(context)
    // add_common.cc computes these ratios in double.
    let twiceMaxInputScale = 2 * Double(max(p.scale1, p.scale2))
    let real1 = Double(p.scale1) / twiceMaxInputScale
    let real2 = Double(p.scale2) / twiceMaxInputScale
    let realOutput = twiceMaxInputScale / (Double(1 << AddSubQuantization.leftShift) * Double(p.outputScale))
    guard realOutput > 0 && realOutput < 1 else {
        throw context.fail("output scale is too small for the quantized ADD (multiplier \(realOutput) >= 1)")
    }
    let q = AddSubQuantization(zeroPoint1: p.zeroPoint1, zeroPoint2: p.zeroPoint2, outputZeroPoint: p.outputZeroPoint,
                               real1: real1, real2: real2, realOutput: realOutput)
    return AddKernel(p, q)
}
