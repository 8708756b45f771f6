import XCTest
@testable import PerchRuntime

final class FullyConnectedTests: XCTestCase {
    func run(batches: Int, depth: Int, units: Int, perChannel: Bool, filterZeroPoint: Int32, bias: Bool,
             keepDims: Bool, seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        let g = TestGraph()
        let inScale: Float = 0.07, outScale: Float = 0.3, inZp: Int32 = Int32(rng.int(-30...30)), outZp: Int32 = -7
        let scales: [Float] = perChannel ? (0..<units).map { _ in rng.float(0.001, 0.01) } : [0.004]
        let input = g.add("in", .int8, keepDims ? [1, batches, depth] : [batches, depth], scale: inScale, zeroPoint: inZp)
        let filter: Int
        if perChannel {
            filter = g.add("w", .int8, [units, depth], scales: scales, constant: true)
        } else {
            filter = g.add("w", .int8, [units, depth], scale: scales[0], zeroPoint: filterZeroPoint, constant: true)
        }
        let biasIndex = bias ? g.add("b", .int32, [units], scale: inScale * scales[0], constant: true) : -1
        let output = g.add("out", .int8, keepDims ? [1, batches, units] : [batches, units], scale: outScale, zeroPoint: outZp)
        let x = rng.int8s(batches * depth), f = rng.int8s(units * depth)
        let b = (0..<units).map { _ in Int32(rng.int(-5000...5000)) }
        g.set(input, x); g.set(filter, f)
        if bias { g.set(biasIndex, b) }
        var o = FullyConnectedOptions(); o.keepNumDims = keepDims
        guard let k = try g.kernel(.fullyConnected, .fullyConnected(o), inputs: [input, filter, biasIndex],
                                   outputs: [output]) as? FullyConnectedKernel else { return XCTFail("kernel type") }
        k.invoke()
        let fast = g.get(output, as: Int8.self)
        k.invokeReference()
        XCTAssertEqual(fast, g.get(output, as: Int8.self), "SIMD vs reference, seed \(seed)")
        var expected: [Int8] = []
        for bb in 0..<batches { for u in 0..<units {
            var acc: Int64 = bias ? Int64(b[u]) : 0
            for d in 0..<depth {
                acc += (Int64(x[bb * depth + d]) - Int64(inZp)) * (Int64(f[u * depth + d]) - Int64(perChannel ? 0 : filterZeroPoint))
            }
            // Per-tensor: TFLite forms the scale product in float first.
            let real = perChannel ? Double(inScale) * Double(scales[u]) / Double(outScale)
                                  : Double(inScale * scales[0]) / Double(outScale)
            let q = QuantizedMultiplier(real)
            expected.append(Int8(min(max(referenceRequantize(Int32(truncatingIfNeeded: acc), q.multiplier, q.shift) + outZp, -128), 127)))
        } }
        XCTAssertEqual(fast, expected, "independent check, seed \(seed)")
    }

    func testRandomConfigurations() throws {
        try run(batches: 1, depth: 250, units: 10, perChannel: false, filterZeroPoint: 0, bias: true, keepDims: false, seed: 1)
        try run(batches: 5, depth: 33, units: 7, perChannel: true, filterZeroPoint: 0, bias: true, keepDims: true, seed: 2)
        try run(batches: 3, depth: 16, units: 4, perChannel: false, filterZeroPoint: 3, bias: false, keepDims: false, seed: 3)
        try run(batches: 64, depth: 32, units: 32, perChannel: true, filterZeroPoint: 0, bias: true, keepDims: true, seed: 4)
        try run(batches: 1, depth: 1, units: 1, perChannel: false, filterZeroPoint: 0, bias: true, keepDims: false, seed: 5)
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let input = g.add("in", .int8, [2, 8], scale: 0.1)
        let filter = g.add("w", .int8, [4, 8], scales: [0.1, 0.1, 0.1], constant: true)  // 3 scales for 4 units
        let output = g.add("out", .int8, [2, 4], scale: 0.1)
        assertPrepareFails(g, .fullyConnected, inputs: [input, filter], outputs: [output])
        let filter2 = g.add("w2", .int8, [4, 7], scale: 0.1, constant: true)            // depth mismatch
        assertPrepareFails(g, .fullyConnected, inputs: [input, filter2], outputs: [output])
        let filter3 = g.add("w3", .uint8, [4, 8], scale: 0.1, constant: true)
        assertPrepareFails(g, .fullyConnected, inputs: [input, filter3], outputs: [output])
        let filter4 = g.add("w4", .int8, [4, 8], scale: 0.1, constant: true)
        let bias = g.add("b", .int32, [4], scale: 0.5, constant: true)                // bias scale far from 0.01
        assertPrepareFails(g, .fullyConnected, inputs: [input, filter4, bias], outputs: [output])
    }
}
