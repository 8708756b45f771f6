/// MUL, int8 with broadcasting up to 6-D, as TFLite Micro's `reference_integer_ops` MUL:
/// (x1 - zp1)(x2 - zp2) rescaled by `QuantizeMultiplier(double s1 * double s2 / double so)`.
final class MulKernel: Kernel {
    let p: PreparedBinary
    let offset1: Int32, offset2: Int32
    let multiplier: QuantizedMultiplier

    init(_ prepared: PreparedBinary, multiplier: QuantizedMultiplier) {
        p = prepared
        offset1 = 0 &- prepared.zeroPoint1
        offset2 = 0 &- prepared.zeroPoint2
        self.multiplier = multiplier
    }

    override func invoke() {
        let a = p.input1, b = p.input2, out = p.output
        let o1 = offset1, o2 = offset2, m = multiplier.multiplier, s = multiplier.shift
        let zo = p.outputZeroPoint, lo = p.activation.min, hi = p.activation.max
        p.plan.forEach { o, i, j in
            let product = (o1 &+ Int32(a[i])) &* (o2 &+ Int32(b[j]))
            out[o] = clampToInt8(zo &+ multiplyByQuantizedMultiplier(product, m, s), lo, hi)
        }
    }
}

func prepareMul(_ context: PrepareContext) throws(ModelError) -> MulKernel {
    let p = try prepareBinary(context)
    let real = Double(p.scale1) * Double(p.scale2) / Double(p.outputScale)
    return MulKernel(p, multiplier: QuantizedMultiplier(real))
}
