import XCTest
@testable import PerchRuntime

final class ReductionAndPoolingTests: XCTestCase {
    func testMeanMatchesFoldedMultiplierArithmetic() throws {
        var rng = TestRandom(seed: 3)
        for (shape, axes, keep) in [([1, 7, 5, 16], [1, 2], true), ([1, 49, 32], [1], false), ([2, 3, 4], [-1, 0], false),
                                    ([1, 8, 8, 32], [2, 1], false), ([5, 6], [1, 1], true)] {
            let g = TestGraph()
            let inScale = rng.float(0.01, 0.1), outScale = rng.float(0.005, 0.1)
            let inZp = Int32(rng.int(-10...10)), outZp = Int32(rng.int(-10...10))
            let input = g.add("in", .int8, shape, scale: inScale, zeroPoint: inZp)
            let axis = g.add("axis", .int32, [axes.count], constant: true)
            g.set(axis, axes.map { Int32($0) })
            let rank = shape.count
            let resolved = Set(axes.map { $0 < 0 ? $0 + rank : $0 })
            let outShape = keep ? shape.enumerated().map { resolved.contains($0.offset) ? 1 : $0.element }
                                : shape.enumerated().filter { !resolved.contains($0.offset) }.map { $0.element }
            let output = g.add("out", .int8, outShape, scale: outScale, zeroPoint: outZp)
            let x = rng.int8s(shape.reduce(1, *))
            g.set(input, x)
            try g.kernel(.mean, .reducer(keepDims: keep), inputs: [input, axis], outputs: [output]).invoke()
            let got = g.get(output, as: Int8.self)

            // Independent: sums by coordinates, TFLite's folded multiplier.
            let n = resolved.map { shape[$0] }.reduce(1, *)
            var sums = [Int32](repeating: 0, count: got.count)
            for (i, v) in x.enumerated() {
                var rem = i, o = 0, step = 1
                var coords = [Int](repeating: 0, count: rank)
                for d in stride(from: rank - 1, through: 0, by: -1) { coords[d] = rem % shape[d]; rem /= shape[d] }
                for d in stride(from: rank - 1, through: 0, by: -1) where !resolved.contains(d) { o += coords[d] * step; step *= shape[d] }
                sums[o] += Int32(v)
            }
            let base = QuantizedMultiplier(Double(inScale) / Double(outScale))
            let k = min(min(Int(log2(Double(n))), 32), 31 + base.shift)
            let m = Int32((Int64(base.multiplier) << Int64(k)) / Int64(n))
            let expected = sums.map { Int8(min(max(referenceRequantize($0 - inZp * Int32(n), m, base.shift - k) + outZp, -128), 127)) }
            XCTAssertEqual(got, expected, "shape \(shape) axes \(axes)")
            for (i, e) in expected.enumerated() {
                let ideal = Double(sums[i] - inZp * Int32(n)) / Double(n) * Double(inScale) / Double(outScale) + Double(outZp)
                XCTAssertEqual(Double(e), min(max(ideal.rounded(), -128), 127), accuracy: 1.01)
            }
        }
    }

    func testMeanRejectsBadAxes() {
        let g = TestGraph()
        let input = g.add("in", .int8, [2, 3], scale: 0.1)
        let axis = g.add("axis", .int32, [1], constant: true)
        g.set(axis, [Int32(2)])
        let output = g.add("out", .int8, [2], scale: 0.1)
        assertPrepareFails(g, .mean, .reducer(keepDims: false), inputs: [input, axis], outputs: [output])
        let live = g.add("live", .int32, [1])   // not constant
        assertPrepareFails(g, .mean, .reducer(keepDims: false), inputs: [input, live], outputs: [output])
    }

    func pool(_ op: BuiltinOperator, _ x: [Int8], h: Int, w: Int, c: Int, filter: Int, stride: Int, padding: Padding,
              outH: Int, outW: Int) throws -> [Int8] {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, h, w, c], scale: 0.1, zeroPoint: 2)
        let output = g.add("out", .int8, [1, outH, outW, c], scale: 0.1, zeroPoint: 2)
        g.set(input, x)
        var o = Pool2DOptions()
        o.filterH = filter; o.filterW = filter; o.strideH = stride; o.strideW = stride; o.padding = padding
        try g.kernel(op, .pool2D(o), inputs: [input], outputs: [output]).invoke()
        return g.get(output, as: Int8.self)
    }

    func testAveragePoolRoundsHalfAwayFromZeroOverClippedWindow() throws {
        // 2x2 image, 2x2 window, SAME stride 1: windows clip at the right/bottom edge.
        let got = try pool(.averagePool2D, [1, 2, 4, -5], h: 2, w: 2, c: 1, filter: 2, stride: 1, padding: .same, outH: 2, outW: 2)
        // (1+2+4-5)/4 = 0.5 -> 1; (2-5)/2 = -1.5 -> -2; (4-5)/2 = -0.5 -> -1; -5.
        XCTAssertEqual(got, [1, -2, -1, -5])
    }

    func testMaxPool() throws {
        let x: [Int8] = [1, -3, 7, 2, 0, -128, 5, 9, 4, 4, -1, 3, 6, 8, -7, 2]
        let got = try pool(.maxPool2D, x, h: 4, w: 4, c: 1, filter: 2, stride: 2, padding: .valid, outH: 2, outW: 2)
        XCTAssertEqual(got, [1, 9, 8, 3])
    }

    func testPoolRejectsRequantization() {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, 4, 4, 1], scale: 0.1)
        let output = g.add("out", .int8, [1, 2, 2, 1], scale: 0.2)
        var o = Pool2DOptions(); o.filterH = 2; o.filterW = 2; o.strideH = 2; o.strideW = 2; o.padding = .valid
        assertPrepareFails(g, .averagePool2D, .pool2D(o), inputs: [input], outputs: [output])
    }
}
