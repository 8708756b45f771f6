import XCTest
@testable import PerchRuntime

final class BatchMatMulTests: XCTestCase {
    func run(lhsShape: [Int], rhsShape: [Int], adjX: Bool, adjY: Bool, rhsConstant: Bool, seed: UInt64) throws {
        var rng = TestRandom(seed: seed)
        let g = TestGraph()
        let lr = lhsShape.count, rr = rhsShape.count, rank = max(lr, rr)
        let m = adjX ? lhsShape[lr - 1] : lhsShape[lr - 2], k = adjX ? lhsShape[lr - 2] : lhsShape[lr - 1]
        let n = adjY ? rhsShape[rr - 2] : rhsShape[rr - 1]
        let lb = [Int](repeating: 1, count: rank - lr) + lhsShape.dropLast(2)
        let rb = [Int](repeating: 1, count: rank - rr) + rhsShape.dropLast(2)
        let ob = zip(lb, rb).map { max($0, $1) }
        let lzp = Int32(rng.int(-5...5)), rzp = Int32(rng.int(-5...5)), ozp: Int32 = 2
        let lhs = g.add("lhs", .int8, lhsShape, scale: 0.02, zeroPoint: lzp)
        let rhs = g.add("rhs", .int8, rhsShape, scale: 0.03, zeroPoint: rzp, constant: rhsConstant)
        let output = g.add("out", .int8, ob + [m, n], scale: 0.05, zeroPoint: ozp)
        let l = rng.int8s(lhsShape.reduce(1, *)), r = rng.int8s(rhsShape.reduce(1, *))
        g.set(lhs, l); g.set(rhs, r)
        guard let kernel = try g.kernel(.batchMatMul, .batchMatMul(adjointX: adjX, adjointY: adjY), inputs: [lhs, rhs],
                                        outputs: [output]) as? BatchMatMulKernel else { return XCTFail("kernel type") }
        kernel.invoke()
        let fast = g.get(output, as: Int8.self)
        kernel.invokeReference()
        XCTAssertEqual(fast, g.get(output, as: Int8.self), "SIMD vs reference, seed \(seed)")

        // Independent: walk the broadcast batch index explicitly.
        let q = QuantizedMultiplier(Double(Float(0.02) * Float(0.03)) / Double(Float(0.05)))
        var expected: [Int8] = []
        let batchCount = ob.reduce(1, *)
        for bi in 0..<batchCount {
            var rem = bi, lIdx = 0, rIdx = 0, lStride = 1, rStride = 1
            var index = [Int](repeating: 0, count: ob.count)
            for d in stride(from: ob.count - 1, through: 0, by: -1) { index[d] = rem % ob[d]; rem /= ob[d] }
            for d in stride(from: ob.count - 1, through: 0, by: -1) {
                lIdx += (lb[d] == 1 ? 0 : index[d]) * lStride; lStride *= lb[d]
                rIdx += (rb[d] == 1 ? 0 : index[d]) * rStride; rStride *= rb[d]
            }
            for i in 0..<m { for j in 0..<n {
                var acc: Int64 = 0
                for kk in 0..<k {
                    let a = l[lIdx * m * k + (adjX ? kk * m + i : i * k + kk)]
                    let b = r[rIdx * n * k + (adjY ? j * k + kk : kk * n + j)]
                    acc += (Int64(a) - Int64(lzp)) * (Int64(b) - Int64(rzp))
                }
                expected.append(Int8(min(max(referenceRequantize(Int32(acc), q.multiplier, q.shift) + ozp, -128), 127)))
            } }
        }
        XCTAssertEqual(fast, expected, "independent check, seed \(seed)")
    }

    func testConfigurations() throws {
        try run(lhsShape: [1, 4, 49, 8], rhsShape: [1, 4, 8, 64], adjX: false, adjY: false, rhsConstant: false, seed: 1)
        try run(lhsShape: [1, 4, 49, 8], rhsShape: [1, 4, 64, 8], adjX: false, adjY: true, rhsConstant: false, seed: 2)
        try run(lhsShape: [2, 1, 8, 5], rhsShape: [3, 8, 7], adjX: true, adjY: false, rhsConstant: true, seed: 3)
        try run(lhsShape: [5, 20], rhsShape: [20, 17], adjX: false, adjY: false, rhsConstant: true, seed: 4)
        try run(lhsShape: [3, 6, 5], rhsShape: [1, 9, 6], adjX: true, adjY: true, rhsConstant: false, seed: 5)
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let lhs = g.add("lhs", .int8, [2, 3, 4], scale: 0.1)
        let rhs = g.add("rhs", .int8, [2, 5, 6], scale: 0.1)      // shared dims 4 vs 5
        let out = g.add("out", .int8, [2, 3, 6], scale: 0.1)
        assertPrepareFails(g, .batchMatMul, .batchMatMul(adjointX: false, adjointY: false), inputs: [lhs, rhs], outputs: [out])
        let rhs2 = g.add("rhs2", .int8, [3, 4, 6], scale: 0.1)    // batch 2 vs 3
        assertPrepareFails(g, .batchMatMul, .batchMatMul(adjointX: false, adjointY: false), inputs: [lhs, rhs2], outputs: [out])
        let rhs3 = g.add("rhs3", .int8, [2, 4, 6])                // no quantization
        assertPrepareFails(g, .batchMatMul, .batchMatMul(adjointX: false, adjointY: false), inputs: [lhs, rhs3], outputs: [out])
    }
}
