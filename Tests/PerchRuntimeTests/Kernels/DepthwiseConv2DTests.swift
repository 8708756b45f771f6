import XCTest
@testable import PerchRuntime

final class DepthwiseConv2DTests: XCTestCase {
    func run(h: Int, w: Int, cin: Int, dm: Int, kh: Int, kw: Int, stride: Int, dilation: Int, padding: Padding,
             perChannel: Bool, seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        let g = TestGraph()
        let cout = cin * dm
        let eff = (kh - 1) * dilation + 1, effW = (kw - 1) * dilation + 1
        let oh = padding == .same ? (h + stride - 1) / stride : (h - eff + stride) / stride
        let ow = padding == .same ? (w + stride - 1) / stride : (w - effW + stride) / stride
        let inZp = Int32(rng.int(-10...10)), outZp: Int32 = 5
        let scales: [Float] = perChannel ? (0..<cout).map { _ in rng.float(0.001, 0.03) } : [0.01]
        let input = g.add("in", .int8, [1, h, w, cin], scale: 0.04, zeroPoint: inZp)
        let filter = g.add("w", .int8, [1, kh, kw, cout], scales: scales, dimension: 3, constant: true)
        let bias = g.add("b", .int32, [cout], constant: true)
        let output = g.add("out", .int8, [1, oh, ow, cout], scale: 0.1, zeroPoint: outZp)
        let x = rng.int8s(h * w * cin), f = rng.int8s(kh * kw * cout)
        let b = (0..<cout).map { _ in Int32(rng.int(-2000...2000)) }
        g.set(input, x); g.set(filter, f); g.set(bias, b)
        var o = DepthwiseConv2DOptions()
        o.padding = padding; o.strideH = stride; o.strideW = stride; o.depthMultiplier = dm
        o.dilationH = dilation; o.dilationW = dilation
        guard let k = try g.kernel(.depthwiseConv2D, .depthwiseConv2D(o), inputs: [input, filter, bias],
                                   outputs: [output]) as? DepthwiseConv2DKernel else { return XCTFail("kernel type") }
        k.invoke()
        let fast = g.get(output, as: Int8.self)
        k.invokeReference()
        XCTAssertEqual(fast, g.get(output, as: Int8.self), "SIMD vs reference, seed \(seed)")

        let padT = max(0, (oh - 1) * stride + eff - h) / 2, padL = max(0, (ow - 1) * stride + effW - w) / 2
        var expected = [Int8](repeating: 0, count: fast.count)
        for y in 0..<oh { for xx in 0..<ow { for oc in 0..<cout {
            var acc: Int64 = Int64(b[oc])
            for ky in 0..<kh { for kx in 0..<kw {
                let iy = y * stride - padT + ky * dilation, ix = xx * stride - padL + kx * dilation
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                acc += (Int64(x[(iy * w + ix) * cin + oc / dm]) - Int64(inZp)) * Int64(f[(ky * kw + kx) * cout + oc])
            } }
            let q = QuantizedMultiplier(Double(Float(0.04)) * Double(perChannel ? scales[oc] : scales[0]) / Double(Float(0.1)))
            expected[(y * ow + xx) * cout + oc] = Int8(min(max(referenceRequantize(Int32(acc), q.multiplier, q.shift) + outZp, -128), 127))
        } } }
        XCTAssertEqual(fast, expected, "independent check, seed \(seed)")
    }

    func testRandomConfigurations() throws {
        try run(h: 8, w: 7, cin: 20, dm: 1, kh: 3, kw: 3, stride: 1, dilation: 1, padding: .same, perChannel: true, seed: 1)
        try run(h: 9, w: 9, cin: 33, dm: 1, kh: 3, kw: 3, stride: 2, dilation: 1, padding: .valid, perChannel: false, seed: 2)
        try run(h: 49, w: 40, cin: 1, dm: 8, kh: 10, kw: 8, stride: 2, dilation: 1, padding: .same, perChannel: true, seed: 3)
        try run(h: 6, w: 6, cin: 3, dm: 16, kh: 3, kw: 2, stride: 1, dilation: 2, padding: .same, perChannel: true, seed: 4)
        try run(h: 5, w: 5, cin: 2, dm: 3, kh: 5, kw: 5, stride: 1, dilation: 1, padding: .same, perChannel: false, seed: 5)
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, 4, 4, 3], scale: 0.1)
        let filter = g.add("w", .int8, [1, 3, 3, 6], scales: [0.1, 0.1], dimension: 3, constant: true)
        let output = g.add("out", .int8, [1, 4, 4, 6], scale: 0.1)
        assertPrepareFails(g, .depthwiseConv2D, inputs: [input, filter], outputs: [output])
        let filter2 = g.add("w2", .int8, [1, 3, 3, 5], scale: 0.1, constant: true)   // 5 is not a multiple of 3
        let output2 = g.add("out2", .int8, [1, 4, 4, 5], scale: 0.1)
        assertPrepareFails(g, .depthwiseConv2D, inputs: [input, filter2], outputs: [output2])
        var o = DepthwiseConv2DOptions(); o.depthMultiplier = 3  // disagrees with 3 -> 6 channels
        let filter3 = g.add("w3", .int8, [1, 3, 3, 6], scale: 0.1, constant: true)
        assertPrepareFails(g, .depthwiseConv2D, .depthwiseConv2D(o), inputs: [input, filter3], outputs: [output])
    }
}
