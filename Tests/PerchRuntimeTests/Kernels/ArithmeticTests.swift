import XCTest
@testable import PerchRuntime

final class ArithmeticTests: XCTestCase {
    /// Index of `outIndex` (row-major in `out`) in a right-aligned broadcast input `shape`.
    func broadcastIndex(_ outIndex: Int, out: [Int], shape: [Int]) -> Int {
        var rem = outIndex, index = 0, step = 1
        let padded = [Int](repeating: 1, count: out.count - shape.count) + shape
        var coords = [Int](repeating: 0, count: out.count)
        for d in stride(from: out.count - 1, through: 0, by: -1) { coords[d] = rem % out[d]; rem /= out[d] }
        for d in stride(from: out.count - 1, through: 0, by: -1) {
            index += (padded[d] == 1 ? 0 : coords[d]) * step
            step *= padded[d]
        }
        return index
    }

    func run(_ op: BuiltinOperator, _ a: [Int], _ b: [Int], _ out: [Int], activation: FusedActivation = .none,
             seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        let g = TestGraph()
        let s1 = rng.float(0.01, 0.1), s2 = rng.float(0.01, 0.1), so = rng.float(0.02, 0.2)
        let z1 = Int32(rng.int(-20...20)), z2 = Int32(rng.int(-20...20)), zo = Int32(rng.int(-20...20))
        let i1 = g.add("a", .int8, a, scale: s1, zeroPoint: z1)
        let i2 = g.add("b", .int8, b, scale: s2, zeroPoint: z2)
        let o = g.add("o", .int8, out, scale: so, zeroPoint: zo)
        let x = rng.int8s(a.reduce(1, *)), y = rng.int8s(b.reduce(1, *))
        g.set(i1, x); g.set(i2, y)
        try g.kernel(op, .arithmetic(activation: activation), inputs: [i1, i2], outputs: [o]).invoke()
        let got = g.get(o, as: Int8.self)
        let lo: Int32 = activation == .relu ? max(-128, zo) : -128
        var expected: [Int8] = []
        for idx in 0..<out.reduce(1, *) {
            let p = Int32(x[broadcastIndex(idx, out: out, shape: a)]), q = Int32(y[broadcastIndex(idx, out: out, shape: b)])
            var v: Int32
            switch op {
            case .mul:
                let m = QuantizedMultiplier(Double(s1) * Double(s2) / Double(so))
                v = referenceRequantize((p - z1) * (q - z2), m.multiplier, m.shift) + zo
            default:
                // ADD uses double ratios, SUB float ones (as TFLite Micro).
                let twice = 2 * Double(max(s1, s2))
                let r1 = op == .add ? Double(s1) / twice : Double(s1 / (2 * max(s1, s2)))
                let r2 = op == .add ? Double(s2) / twice : Double(s2 / (2 * max(s1, s2)))
                let ro = op == .add ? twice / (Double(1 << 20) * Double(so)) : Double(2 * max(s1, s2) / (Float(1 << 20) * so))
                let m1 = QuantizedMultiplier(r1), m2 = QuantizedMultiplier(r2), mo = QuantizedMultiplier(ro)
                let a1 = referenceRequantize((p - z1) << 20, m1.multiplier, m1.shift)
                let a2 = referenceRequantize((q - z2) << 20, m2.multiplier, m2.shift)
                v = referenceRequantize(op == .add ? a1 + a2 : a1 - a2, mo.multiplier, mo.shift) + zo
            }
            expected.append(Int8(min(max(v, lo), 127)))
            // And the real-valued result is within one step of the output scale.
            let real: Double
            switch op {
            case .add: real = Double(s1) * Double(p - z1) + Double(s2) * Double(q - z2)
            case .sub: real = Double(s1) * Double(p - z1) - Double(s2) * Double(q - z2)
            default: real = Double(s1) * Double(p - z1) * Double(s2) * Double(q - z2)
            }
            let ideal = min(max((real / Double(so)).rounded() + Double(zo), Double(lo)), 127)
            XCTAssertEqual(Double(expected.last!), ideal, accuracy: 1.01)
        }
        XCTAssertEqual(got, expected, "\(op.name) seed \(seed)")
    }

    func testAddSubMulWithBroadcasting() throws {
        for op in [BuiltinOperator.add, .sub, .mul] {
            try run(op, [2, 3, 4], [2, 3, 4], [2, 3, 4], seed: 1)
            try run(op, [1, 49, 32], [32], [1, 49, 32], seed: 2)
            try run(op, [4, 1, 3], [1, 5, 1], [4, 5, 3], activation: .relu, seed: 3)
            try run(op, [1], [2, 2, 1, 2, 1, 3], [2, 2, 1, 2, 1, 3], seed: 4)
            try run(op, [1, 1, 1, 8, 1], [2, 3, 1, 1, 5], [2, 3, 1, 8, 5], seed: 5)
        }
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let a = g.add("a", .int8, [2, 3], scale: 0.1)
        let b = g.add("b", .int8, [4, 3], scale: 0.1)
        let o = g.add("o", .int8, [2, 3], scale: 0.1)
        assertPrepareFails(g, .add, inputs: [a, b], outputs: [o])          // 2 vs 4 do not broadcast
        let c = g.add("c", .int8, [2, 3])                                  // unquantized
        assertPrepareFails(g, .mul, inputs: [a, c], outputs: [o])
        let d = g.add("d", .int16, [2, 3], scale: 0.1)
        assertPrepareFails(g, .sub, inputs: [a, d], outputs: [o])
        let big = g.add("big", .int8, [1, 2, 1, 1, 1, 1, 3], scale: 0.1)    // 7-D
        let bigOut = g.add("bigo", .int8, [1, 2, 1, 1, 1, 1, 3], scale: 0.1)
        assertPrepareFails(g, .add, inputs: [big, big], outputs: [bigOut])
    }
}
