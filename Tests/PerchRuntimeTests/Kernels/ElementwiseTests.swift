import Foundation
import XCTest
@testable import PerchRuntime

final class ElementwiseTests: XCTestCase {
    /// Runs a unary op over all 256 int8 values.
    func allValues(_ op: BuiltinOperator, inScale: Float, inZp: Int32, outScale: Float, outZp: Int32,
                   inType: ElementType = .int8, outType: ElementType = .int8) throws -> [Int32] {
        let g = TestGraph()
        let input = g.add("in", inType, [256], scale: inScale, zeroPoint: inZp)
        let output = g.add("out", outType, [256], scale: outScale, zeroPoint: outZp)
        g.set(input, (0..<256).map { UInt8($0) })
        try g.kernel(op, inputs: [input], outputs: [output]).invoke()
        return g.get(output, as: UInt8.self).map { outType == .int8 ? Int32(Int8(bitPattern: $0)) : Int32($0) }
    }

    func inputValue(_ raw: Int, _ type: ElementType = .int8) -> Int32 { type == .int8 ? Int32(Int8(truncatingIfNeeded: raw)) : Int32(raw) }

    func testLogisticAndTanhFollowTheRealFunctions() throws {
        let logistic = try allValues(.logistic, inScale: 0.1, inZp: 4, outScale: 1.0 / 256, outZp: -128)
        let tanh = try allValues(.tanh, inScale: 0.05, inZp: -2, outScale: 1.0 / 128, outZp: 0)
        for raw in 0..<256 {
            let x = Double(inputValue(raw) - 4) * Double(Float(0.1))
            XCTAssertEqual(Double(logistic[raw]), min(127, (256 / (1 + Foundation.exp(-x))).rounded() - 128), accuracy: 1)
            let t = Double(inputValue(raw) + 2) * Double(Float(0.05))
            XCTAssertEqual(Double(tanh[raw]), min(127, max(-128, (128 * Foundation.tanh(t)).rounded())), accuracy: 1)
        }
    }

    func testHardSwishReluRelu6Rsqrt() throws {
        let hs = try allValues(.hardSwish, inScale: 0.05, inZp: 3, outScale: 0.04, outZp: -20)
        let relu = try allValues(.relu, inScale: 0.05, inZp: 3, outScale: 0.04, outZp: -20)
        let relu6 = try allValues(.relu6, inScale: 0.05, inZp: 3, outScale: 0.05, outZp: 3)
        let rsqrt = try allValues(.rsqrt, inScale: 0.02, inZp: -128, outScale: 0.1, outZp: -100)
        for raw in 0..<256 {
            let x = Double(inputValue(raw) - 3) * Double(Float(0.05))
            let hswish = x * min(max(x + 3, 0), 6) / 6
            XCTAssertEqual(Double(hs[raw]), min(127, max(-128, (hswish / Double(Float(0.04))).rounded() - 20)), accuracy: 1.01)
            XCTAssertEqual(Double(relu[raw]), min(127, max(-20, (max(x, 0) / Double(Float(0.04))).rounded() - 20)), accuracy: 1.01)
            XCTAssertEqual(relu6[raw], min(max(inputValue(raw), 3), 3 + 120))
            let r = Double(inputValue(raw) + 128) * Double(Float(0.02))
            if r > 0 {
                let expected = min(127, max(-128, (1 / r.squareRoot() / Double(Float(0.1))).rounded() - 100))
                XCTAssertEqual(Double(rsqrt[raw]), expected, accuracy: 1.01, "rsqrt at \(r)")
            } else {
                XCTAssertEqual(rsqrt[raw], 127)
            }
        }
    }

    func testQuantizeRequantizesAndConvertsFloat() throws {
        // int8 -> uint8 with the same scale is the +128 shift.
        let flip = try allValues(.quantize, inScale: 0.1, inZp: 0, outScale: 0.1, outZp: 128, outType: .uint8)
        for raw in 0..<256 { XCTAssertEqual(flip[raw], inputValue(raw) + 128) }
        // uint8 -> int8 rescale.
        let rescale = try allValues(.quantize, inScale: 0.1, inZp: 128, outScale: 0.3, outZp: -1, inType: .uint8)
        for raw in 0..<256 {
            XCTAssertEqual(Double(rescale[raw]), min(127, max(-128, (Double(raw - 128) * Double(Float(0.1)) / Double(Float(0.3))).rounded() - 1)), accuracy: 1)
        }
        let g = TestGraph()
        let input = g.add("in", .float32, [6])
        let output = g.add("out", .int8, [6], scale: 0.5, zeroPoint: -3)
        g.set(input, [Float(0), 0.25, -0.25, 1.3, 1000, -1000])
        try g.kernel(.quantize, inputs: [input], outputs: [output]).invoke()
        XCTAssertEqual(g.get(output, as: Int8.self), [-3, -2, -4, 0, 127, -128])
    }

    func testDequantize() throws {
        let g = TestGraph()
        let input = g.add("in", .int8, [3], scale: 0.1, zeroPoint: 5)
        let output = g.add("out", .float32, [3])
        g.set(input, [Int8(5), 15, -128])
        try g.kernel(.dequantize, inputs: [input], outputs: [output]).invoke()
        XCTAssertEqual(g.get(output, as: Float.self), [0, Float(Double(Float(0.1)) * 10), Float(Double(Float(0.1)) * -133)])
    }

    func testPrepareErrors() {
        let g = TestGraph()
        let input = g.add("in", .int8, [4], scale: 0.1)
        let badLogistic = g.add("out", .int8, [4], scale: 1.0 / 256, zeroPoint: 0)
        assertPrepareFails(g, .logistic, inputs: [input], outputs: [badLogistic])
        let floatOut = g.add("f", .float32, [4])
        assertPrepareFails(g, .rsqrt, inputs: [input], outputs: [floatOut])
        let wrongShape = g.add("w", .int8, [5], scale: 0.1)
        assertPrepareFails(g, .relu, inputs: [input], outputs: [wrongShape])
        let unquantized = g.add("u", .int8, [4])
        assertPrepareFails(g, .tanh, inputs: [unquantized], outputs: [input])
    }
}
