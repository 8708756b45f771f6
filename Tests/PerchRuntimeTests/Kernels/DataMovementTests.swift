import XCTest
@testable import PerchRuntime

final class DataMovementTests: XCTestCase {
    func testTransposeFiveDimensionsAgainstCoordinates() throws {
        let shape = [2, 3, 1, 4, 5], perm = [4, 1, 0, 3, 2]
        let g = TestGraph()
        let input = g.add("in", .int8, shape, scale: 0.1)
        let p = g.add("perm", .int32, [5], constant: true)
        let outShape = perm.map { shape[$0] }
        let output = g.add("out", .int8, outShape, scale: 0.1)
        let x = (0..<shape.reduce(1, *)).map { Int8(truncatingIfNeeded: $0) }
        g.set(input, x); g.set(p, perm.map { Int32($0) })
        try g.kernel(.transpose, inputs: [input, p], outputs: [output]).invoke()
        let got = g.get(output, as: Int8.self)
        for o in 0..<got.count {
            var rem = o
            var oc = [Int](repeating: 0, count: 5)
            for d in stride(from: 4, through: 0, by: -1) { oc[d] = rem % outShape[d]; rem /= outShape[d] }
            var ic = [Int](repeating: 0, count: 5)
            for d in 0..<5 { ic[perm[d]] = oc[d] }
            var idx = 0
            for d in 0..<5 { idx = idx * shape[d] + ic[d] }
            XCTAssertEqual(got[o], x[idx])
        }
        // Float tensors move as 4-byte elements.
        let gf = TestGraph()
        let fin = gf.add("in", .float32, [2, 3])
        let fp = gf.add("perm", .int32, [2], constant: true)
        let fout = gf.add("out", .float32, [3, 2])
        gf.set(fin, [Float(1), 2, 3, 4, 5, 6]); gf.set(fp, [Int32(1), 0])
        try gf.kernel(.transpose, inputs: [fin, fp], outputs: [fout]).invoke()
        XCTAssertEqual(gf.get(fout, as: Float.self), [1, 4, 2, 5, 3, 6])
        let bad = gf.add("bad", .int32, [2], constant: true)
        gf.set(bad, [Int32(0), 0])
        assertPrepareFails(gf, .transpose, inputs: [fin, bad], outputs: [fout])
    }

    func testReshapeAndSqueezeCopy() throws {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, 2, 1, 3], scale: 0.1)
        let output = g.add("out", .int8, [2, 3], scale: 0.1)
        g.set(input, [Int8(1), 2, 3, 4, 5, 6])
        try g.kernel(.reshape, .reshape(newShape: [2, 3]), inputs: [input], outputs: [output]).invoke()
        XCTAssertEqual(g.get(output, as: Int8.self), [1, 2, 3, 4, 5, 6])
        let squeezed = g.add("sq", .int8, [2, 3], scale: 0.1)
        try g.kernel(.squeeze, .squeeze(dims: [0, 2]), inputs: [input], outputs: [squeezed]).invoke()
        XCTAssertEqual(g.get(squeezed, as: Int8.self), [1, 2, 3, 4, 5, 6])
        assertPrepareFails(g, .squeeze, .squeeze(dims: [1]), inputs: [input], outputs: [squeezed])
        let wrong = g.add("wrong", .int8, [7], scale: 0.1)
        assertPrepareFails(g, .reshape, inputs: [input], outputs: [wrong])
    }

    func testPadUsesOutputZeroPoint() throws {
        let g = TestGraph()
        let input = g.add("in", .int8, [1, 2, 2, 1], scale: 0.1, zeroPoint: -5)
        let paddings = g.add("p", .int32, [4, 2], constant: true)
        g.set(paddings, [Int32(0), 0, 1, 0, 0, 2, 0, 0])
        let output = g.add("out", .int8, [1, 3, 4, 1], scale: 0.1, zeroPoint: -5)
        g.set(input, [Int8(1), 2, 3, 4])
        try g.kernel(.pad, inputs: [input, paddings], outputs: [output]).invoke()
        XCTAssertEqual(g.get(output, as: Int8.self), [-5, -5, -5, -5, 1, 2, -5, -5, 3, 4, -5, -5])
        let badOut = g.add("bad", .int8, [1, 3, 3, 1], scale: 0.1)
        assertPrepareFails(g, .pad, inputs: [input, paddings], outputs: [badOut])
    }

    func testConcatenationCopiesAndRequantizes() throws {
        let g = TestGraph()
        let a = g.add("a", .int8, [2, 1], scale: 0.1, zeroPoint: 0)
        let b = g.add("b", .int8, [2, 2], scale: 0.2, zeroPoint: 1)
        let output = g.add("out", .int8, [2, 3], scale: 0.1, zeroPoint: 0)
        g.set(a, [Int8(7), -8]); g.set(b, [Int8(1), 2, -1, 100])
        try g.kernel(.concatenation, .concatenation(axis: -1, activation: .none), inputs: [a, b], outputs: [output]).invoke()
        // b is requantized: (q - 1) * 2.
        XCTAssertEqual(g.get(output, as: Int8.self), [7, 0, 2, -8, -4, 127])
        let c = g.add("c", .int8, [3, 1], scale: 0.1)
        assertPrepareFails(g, .concatenation, .concatenation(axis: 1, activation: .none), inputs: [a, c], outputs: [output])
    }

    func testStridedSliceMasksAndNegativeStrides() throws {
        func slice(_ shape: [Int], _ begin: [Int32], _ end: [Int32], _ strides: [Int32], _ options: StridedSliceOptions,
                   outShape: [Int]) throws -> [Int8] {
            let g = TestGraph()
            let input = g.add("in", .int8, shape, scale: 0.1)
            let bt = g.add("b", .int32, [begin.count], constant: true)
            let et = g.add("e", .int32, [end.count], constant: true)
            let st = g.add("s", .int32, [strides.count], constant: true)
            g.set(input, (0..<shape.reduce(1, *)).map { Int8($0) })
            g.set(bt, begin); g.set(et, end); g.set(st, strides)
            let output = g.add("out", .int8, outShape, scale: 0.1)
            try g.kernel(.stridedSlice, .stridedSlice(options), inputs: [input, bt, et, st], outputs: [output]).invoke()
            return g.get(output, as: Int8.self)
        }
        let none = StridedSliceOptions()
        XCTAssertEqual(try slice([3, 4], [0, 1], [3, 4], [2, 2], none, outShape: [2, 2]), [1, 3, 9, 11])
        XCTAssertEqual(try slice([6], [-1], [-7], [-2], none, outShape: [3]), [5, 3, 1])
        var masks = StridedSliceOptions(); masks.beginMask = 1; masks.endMask = 2
        XCTAssertEqual(try slice([3, 4], [2, 1], [3, 3], [1, 1], masks, outShape: [3, 3]), [1, 2, 3, 5, 6, 7, 9, 10, 11])
        var shrink = StridedSliceOptions(); shrink.shrinkAxisMask = 1
        XCTAssertEqual(try slice([3, 4], [-1, 0], [0, 4], [1, 1], shrink, outShape: [4]), [8, 9, 10, 11])
        var offset = StridedSliceOptions(); offset.offset = true
        XCTAssertEqual(try slice([2, 5], [0, 1], [2, 3], [1, 1], offset, outShape: [2, 3]), [1, 2, 3, 6, 7, 8])
        var ellipsis = StridedSliceOptions(); ellipsis.ellipsisMask = 1
        XCTAssertThrowsError(try slice([3], [0], [3], [1], ellipsis, outShape: [3]))
        XCTAssertThrowsError(try slice([3], [0], [3], [1], none, outShape: [2]))
    }
}
