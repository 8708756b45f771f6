import Foundation
import XCTest
@testable import PerchRuntime

final class SoftmaxTests: XCTestCase {
    func softmax(_ values: [Int8], depth: Int, inputScale: Float, beta: Float = 1) throws -> [Int8] {
        let g = TestGraph()
        let input = g.add("in", .int8, [values.count / depth, depth], scale: inputScale, zeroPoint: 3)
        let output = g.add("out", .int8, [values.count / depth, depth], scale: 1.0 / 256, zeroPoint: -128)
        g.set(input, values)
        try g.kernel(.softmax, .softmax(beta: beta), inputs: [input], outputs: [output]).invoke()
        return g.get(output, as: Int8.self)
    }

    func testUniformRowsAreExact() throws {
        XCTAssertEqual(try softmax([5, 5, 5, 5], depth: 4, inputScale: 0.1), [-64, -64, -64, -64])
        XCTAssertEqual(try softmax([-128, -128], depth: 2, inputScale: 0.5), [0, 0])
        XCTAssertEqual(try softmax([100], depth: 1, inputScale: 0.05), [127])
    }

    func testCloseToFloatSoftmax() throws {
        var rng = TestRandom(seed: 11)
        for (scale, depth) in [(Float(0.1), 10), (0.0145, 2), (0.25, 12), (0.05, 64)] {
            let values = rng.int8s(depth * 3)
            let got = try softmax(values, depth: depth, inputScale: scale)
            for r in 0..<3 {
                let row = values[(r * depth)..<((r + 1) * depth)].map { Double($0) * Double(scale) }
                let m = row.max()!
                let exps = row.map { Foundation.exp($0 - m) }
                let sum = exps.reduce(0, +)
                for c in 0..<depth {
                    let expected = min(127, max(-128, (exps[c] / sum * 256).rounded() - 128))
                    XCTAssertEqual(Double(got[r * depth + c]), expected, accuracy: 1, "scale \(scale) row \(r) col \(c)")
                }
            }
        }
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, 4], scale: 0.1)
        let badOutput = g.add("out", .int8, [1, 4], scale: 1.0 / 128, zeroPoint: 0)   // not scale 1/256, zp -128
        assertPrepareFails(g, .softmax, .softmax(beta: 1), inputs: [input], outputs: [badOutput])
        let output = g.add("out2", .int8, [1, 5], scale: 1.0 / 256, zeroPoint: -128)  // shape mismatch
        assertPrepareFails(g, .softmax, .softmax(beta: 1), inputs: [input], outputs: [output])
        let tiny = g.add("tiny", .int8, [1, 4], scale: 1e-12)                           // multiplier <= 1
        let output3 = g.add("out3", .int8, [1, 4], scale: 1.0 / 256, zeroPoint: -128)
        assertPrepareFails(g, .softmax, .softmax(beta: 1), inputs: [tiny], outputs: [output3])
    }
}
