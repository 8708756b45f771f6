import XCTest
@testable import PerchRuntime

final class Conv2DTests: XCTestCase {
    struct Case {
        var n = 1, h = 7, w = 9, cin = 5, cout = 6, kh = 3, kw = 3, groups = 1
        var strideH = 1, strideW = 1, dilationH = 1, dilationW = 1
        var padding: Padding = .same
        var perChannel = true, bias = true
        var activation: FusedActivation = .none
    }

    /// Builds a random conv, checks SIMD == reference kernel == an independent Int64 loop.
    func run(_ c: Case, seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        let g = TestGraph()
        let cf = c.cin / c.groups
        let effH = (c.kh - 1) * c.dilationH + 1, effW = (c.kw - 1) * c.dilationW + 1
        let oh = c.padding == .same ? (c.h + c.strideH - 1) / c.strideH : (c.h - effH + c.strideH) / c.strideH
        let ow = c.padding == .same ? (c.w + c.strideW - 1) / c.strideW : (c.w - effW + c.strideW) / c.strideW
        let inScale: Float = 0.05, outScale: Float = 0.2, inZp: Int32 = Int32(rng.int(-20...20)), outZp: Int32 = -3
        let filterScales: [Float] = c.perChannel ? (0..<c.cout).map { _ in rng.float(0.002, 0.02) } : [0.01]
        let input = g.add("in", .int8, [c.n, c.h, c.w, c.cin], scale: inScale, zeroPoint: inZp)
        let filter = g.add("w", .int8, [c.cout, c.kh, c.kw, cf], scales: filterScales, constant: true)
        let bias = c.bias ? g.add("b", .int32, [c.cout], constant: true) : -1
        let output = g.add("out", .int8, [c.n, oh, ow, c.cout], scale: outScale, zeroPoint: outZp)
        let x = rng.int8s(c.n * c.h * c.w * c.cin), f = rng.int8s(c.cout * c.kh * c.kw * cf)
        let b = (0..<c.cout).map { _ in Int32(rng.int(-3000...3000)) }
        g.set(input, x); g.set(filter, f)
        if c.bias { g.set(bias, b) }
        var o = Conv2DOptions()
        o.padding = c.padding; o.strideH = c.strideH; o.strideW = c.strideW
        o.dilationH = c.dilationH; o.dilationW = c.dilationW; o.activation = c.activation
        let kernel = try g.kernel(.conv2D, .conv2D(o), inputs: [input, filter, bias], outputs: [output])
        guard let conv = kernel as? Conv2DKernel else { return XCTFail("not a Conv2DKernel") }
        conv.invoke()
        let fast = g.get(output, as: Int8.self)
        conv.invokeReference()
        XCTAssertEqual(fast, g.get(output, as: Int8.self), "SIMD vs reference, seed \(seed)")

        // Independent implementation.
        let padT = max(0, (oh - 1) * c.strideH + effH - c.h) / 2, padL = max(0, (ow - 1) * c.strideW + effW - c.w) / 2
        var lo: Int32 = -128, hi: Int32 = 127
        if c.activation == .relu { lo = max(lo, outZp) }
        if c.activation == .relu6 { lo = max(lo, outZp); hi = min(hi, outZp + Int32((6 / outScale).rounded())) }
        var expected = [Int8](repeating: 0, count: fast.count)
        let perGroup = c.cout / c.groups
        for bb in 0..<c.n { for y in 0..<oh { for xx in 0..<ow { for oc in 0..<c.cout {
            var acc: Int64 = 0
            for ky in 0..<c.kh { for kx in 0..<c.kw { for ic in 0..<cf {
                let iy = y * c.strideH - padT + ky * c.dilationH, ix = xx * c.strideW - padL + kx * c.dilationW
                guard iy >= 0, iy < c.h, ix >= 0, ix < c.w else { continue }
                let v = Int64(x[((bb * c.h + iy) * c.w + ix) * c.cin + (oc / perGroup) * cf + ic]) - Int64(inZp)
                acc += v * Int64(f[((oc * c.kh + ky) * c.kw + kx) * cf + ic])
            } } }
            if c.bias { acc += Int64(b[oc]) }
            let scale = filterScales.count == 1 ? filterScales[0] : filterScales[oc]
            let q = QuantizedMultiplier(Double(inScale) * Double(scale) / Double(outScale))
            let v = referenceRequantize(Int32(acc), q.multiplier, q.shift) + outZp
            expected[((bb * oh + y) * ow + xx) * c.cout + oc] = Int8(min(max(v, lo), hi))
        } } } }
        XCTAssertEqual(fast, expected, "independent check, seed \(seed)")
    }

    func testRandomConfigurations() throws {
        try run(Case(), seed: 1)
        try run(Case(strideH: 2, strideW: 2, padding: .valid, perChannel: false), seed: 2)
        try run(Case(h: 12, w: 10, cin: 16, cout: 9, kh: 1, kw: 1, padding: .valid), seed: 3)  // pointwise fast path
        try run(Case(cin: 3, cout: 33, kh: 5, kw: 3, dilationH: 2, dilationW: 2, bias: false), seed: 4)
        try run(Case(cin: 8, cout: 6, groups: 2, activation: .relu), seed: 5)
        try run(Case(n: 2, h: 5, w: 5, cin: 40, cout: 20, strideH: 2, strideW: 1, activation: .relu6), seed: 6)
        try run(Case(h: 4, w: 4, cin: 1, cout: 8, kh: 4, kw: 4, padding: .same), seed: 7)
        // Windows inside the image copied row by row: rows of 9 bytes (an RGB image's first
        // layer, stride 2), 8 and 16 bytes (the two-load bounds), 6 and 48 bytes (byte/vector copy).
        try run(Case(h: 12, w: 12, cin: 3, cout: 8, strideH: 2, strideW: 2), seed: 8)
        try run(Case(n: 2, h: 6, w: 7, cin: 4, cout: 5, kh: 2, kw: 2, padding: .valid), seed: 9)
        try run(Case(h: 6, w: 6, cin: 4, cout: 7, kh: 3, kw: 4, padding: .valid), seed: 10)
        try run(Case(h: 8, w: 8, cin: 2, cout: 4, strideH: 1, strideW: 2), seed: 11)
        try run(Case(h: 6, w: 6, cin: 16, cout: 12, padding: .valid), seed: 12)
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, 4, 4, 3], scale: 0.1)
        let filter = g.add("w", .int8, [2, 3, 3, 3], scales: [0.1, 0.1, 0.1], constant: true)  // 3 scales, 2 channels
        let output = g.add("out", .int8, [1, 4, 4, 2], scale: 0.1)
        assertPrepareFails(g, .conv2D, inputs: [input, filter], outputs: [output])

        let g2 = TestGraph()
        let in2 = g2.add("in", .int8, [1, 4, 4, 3])   // no quantization
        let w2 = g2.add("w", .int8, [2, 3, 3, 3], scale: 0.1, constant: true)
        let out2 = g2.add("out", .int8, [1, 4, 4, 2], scale: 0.1)
        assertPrepareFails(g2, .conv2D, inputs: [in2, w2], outputs: [out2])

        let g3 = TestGraph()
        let in3 = g3.add("in", .float32, [1, 4, 4, 3])
        let w3 = g3.add("w", .int8, [2, 3, 3, 3], scale: 0.1, constant: true)
        let out3 = g3.add("out", .int8, [1, 4, 4, 2], scale: 0.1)
        assertPrepareFails(g3, .conv2D, inputs: [in3, w3], outputs: [out3])

        let g4 = TestGraph()
        let in4 = g4.add("in", .int8, [1, 4, 4, 3], scale: 0.1)
        let w4 = g4.add("w", .int8, [2, 3, 3, 3], scale: 0.1, constant: true)
        let out4 = g4.add("out", .int8, [1, 5, 4, 2], scale: 0.1)   // wrong output height
        assertPrepareFails(g4, .conv2D, inputs: [in4, w4], outputs: [out4])
        let b4 = g4.add("b", .int32, [3], constant: true)            // bias of the wrong length
        let out4b = g4.add("out2", .int8, [1, 4, 4, 2], scale: 0.1)
        assertPrepareFails(g4, .conv2D, inputs: [in4, w4, b4], outputs: [out4b])
        assertPrepareFails(g4, .conv2D, inputs: [in4], outputs: [out4b])  // missing filter
    }
}
