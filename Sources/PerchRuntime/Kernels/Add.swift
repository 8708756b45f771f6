/// ADD, int8 with broadcasting up to 6-D, as TFLite Micro's `reference_integer_ops::AddFunc`:
/// both inputs are shifted left by 20 bits, rescaled to twice the larger input scale
/// with their own multipliers, summed, and rescaled to the output (all three multipliers
/// from `QuantizeMultiplierSmallerThanOneExp` on double ratios, add_common.cc).
final class AddKernel: Kernel {
    let p: PreparedBinary
    let q: AddSubQuantization

    init(_ prepared: PreparedBinary, _ quantization: AddSubQuantization) {
        p = prepared
        q = quantization
    }

    override func invoke() {
        let a = p.input1, b = p.input2, out = p.output
        let q = self.q
        let lo = p.activation.min, hi = p.activation.max
        p.plan.forEach { o, i, j in
            let raw = q.scaled1(a[i]) &+ q.scaled2(b[j])
            out[o] = clampToInt8(q.requantize(raw), lo, hi)
        }
    }
}

/// The fixed-point parameters of quantized ADD and SUB.
struct AddSubQuantization {
    static let leftShift = 20
    var offset1: Int32, multiplier1: Int32, shift1: Int
    var offset2: Int32, multiplier2: Int32, shift2: Int
    var outputOffset: Int32, outputMultiplier: Int32, outputShift: Int

    /// From real multipliers (each < 1), as `QuantizeMultiplierSmallerThanOneExp`.
    init(zeroPoint1: Int32, zeroPoint2: Int32, outputZeroPoint: Int32,
         real1: Double, real2: Double, realOutput: Double) {
        let q1 = QuantizedMultiplier(real1), q2 = QuantizedMultiplier(real2), qo = QuantizedMultiplier(realOutput)
        offset1 = 0 &- zeroPoint1; multiplier1 = q1.multiplier; shift1 = q1.shift
        offset2 = 0 &- zeroPoint2; multiplier2 = q2.multiplier; shift2 = q2.shift
        outputOffset = outputZeroPoint; outputMultiplier = qo.multiplier; outputShift = qo.shift
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
