/// MUL, int8 with broadcasting up to 6-D, as TFLite Micro's `reference_integer_ops` MUL:
/// (x1 - zp1)(x2 - zp2) rescaled by `QuantizeMultiplier(double s1 * double s2 / double so)`.
final class MulKernel: Kernel {
    let p: PreparedBinary
    let offset1: Int32, offset2: Int32
    let multiplier: QuantizedMultiplier
    let requantizer: VectorRequantizer

    init(_ prepared: PreparedBinary, multiplier: QuantizedMultiplier) {
        p = prepared
        offset1 = 0 &- prepared.zeroPoint1
        offset2 = 0 &- prepared.zeroPoint2
        self.multiplier = multiplier
        requantizer = VectorRequantizer(multiplier: multiplier.multiplier, shift: multiplier.shift)
    }

    override func invoke() {
        let a = p.input1, b = p.input2, out = p.output
        let o1 = offset1, o2 = offset2, m = multiplier.multiplier, s = multiplier.shift
        let zo = p.outputZeroPoint, lo = p.activation.min, hi = p.activation.max
        guard requantizer.exact else {
            p.plan.forEach { o, i, j in
                let product = (o1 &+ Int32(a[i])) &* (o2 &+ Int32(b[j]))
                out[o] = clampToInt8(zo &+ multiplyByQuantizedMultiplier(product, m, s), lo, hi)
            }
            return
        }
        // 8 outputs per step along each innermost run, the scalar form for its tail.
        let v = requantizer
        let vo1 = SIMD8<Int32>(repeating: o1), vo2 = SIMD8<Int32>(repeating: o2), vzo = SIMD8<Int32>(repeating: zo)
        let vlo = SIMD8<Int32>(repeating: lo), vhi = SIMD8<Int32>(repeating: hi)
        p.plan.forEachRun { o, i, j, count, step1, step2 in
            var k = 0
            while k &+ 8 <= count {
                let x = loadWidened8(a + (i &+ k &* step1), step: step1)
                let y = loadWidened8(b + (j &+ k &* step2), step: step2)
                storeClamped8(v.apply((vo1 &+ x) &* (vo2 &+ y)) &+ vzo, vlo, vhi, out + (o &+ k))
                k &+= 8
            }
            while k < count {
                let product = (o1 &+ Int32(a[i &+ k &* step1])) &* (o2 &+ Int32(b[j &+ k &* step2]))
                out[o &+ k] = clampToInt8(zo &+ multiplyByQuantizedMultiplier(product, m, s), lo, hi)
                k &+= 1
            }
        }
    }
}

func prepareMul(_ context: PrepareContext) throws(ModelError) -> MulKernel {
    let p = try prepareBinary(context)
    let real = Double(p.scale1) * Double(p.scale2) / Double(p.outputScale)
    return MulKernel(p, multiplier: QuantizedMultiplier(real))
}
