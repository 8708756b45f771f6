import XCTest
@testable import PerchRuntime

/// Owns the memory of hand-built tensors for one kernel test and builds its PrepareContext.
final class TestGraph {
    private(set) var tensors: [Tensor] = []
    private var buffers: [UnsafeMutableRawPointer] = []

    deinit { for b in buffers { b.deallocate() } }

    @discardableResult
    func add(_ name: String, _ type: ElementType, _ shape: [Int], scale: Float? = nil, zeroPoint: Int32 = 0,
             scales: [Float]? = nil, dimension: Int = 0, constant: Bool = false) -> Int {
        let count = shape.reduce(1, *)
        let bytes = max(1, count * (type.byteSize ?? 1))
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        buffers.append(p)
        var q: Quantization? = nil
        if let scales { q = Quantization(scales: scales, zeroPoints: [Int32](repeating: 0, count: scales.count), dimension: dimension) }
        else if let scale { q = Quantization(scales: [scale], zeroPoints: [zeroPoint]) }
        tensors.append(Tensor(name: name, type: type, shape: shape, quantization: q, isConstant: constant, data: p))
        return tensors.count - 1
    }

    func set<T>(_ index: Int, _ values: [T]) {
        precondition(values.count == tensors[index].elementCount, "wrong element count for \(tensors[index].name)")
        let p = tensors[index].data.assumingMemoryBound(to: T.self)
        for (i, v) in values.enumerated() { p[i] = v }
    }

    func get<T>(_ index: Int, as: T.Type) -> [T] {
        let p = tensors[index].data.assumingMemoryBound(to: T.self)
        return (0..<tensors[index].elementCount).map { p[$0] }
    }

    func context(_ op: BuiltinOperator, _ options: OperatorOptions = .none, inputs: [Int], outputs: [Int],
                 node: Int = 7) -> PrepareContext {
        PrepareContext(nodeIndex: node, op: op, options: options, inputIndices: inputs, outputIndices: outputs,
                       tensors: tensors)
    }

    func kernel(_ op: BuiltinOperator, _ options: OperatorOptions = .none, inputs: [Int], outputs: [Int]) throws -> Kernel {
        try makeKernel(context(op, options, inputs: inputs, outputs: outputs))
    }
}

/// A small deterministic generator (SplitMix64) so failures reproduce.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    mutating func int8s(_ n: Int) -> [Int8] { (0..<n).map { _ in Int8(truncatingIfNeeded: next()) } }
    mutating func float(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24) }
}

/// Asserts that preparing throws a ModelError (and does not crash).
func assertPrepareFails(_ graph: TestGraph, _ op: BuiltinOperator, _ options: OperatorOptions = .none,
                        inputs: [Int], outputs: [Int], file: StaticString = #filePath, line: UInt = #line) {
    do throws(ModelError) {
        _ = try makeKernel(graph.context(op, options, inputs: inputs, outputs: outputs))
        XCTFail("prepare unexpectedly succeeded", file: file, line: line)
    } catch {
        XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        if case .invalidNode(let node, let name, _) = error {
            XCTAssertEqual(node, 7, file: file, line: line)
            XCTAssertEqual(name, op.name, file: file, line: line)
        }
    }
}

/// TFLite's double-rounding requantization computed independently in wide arithmetic:
/// round(x · m / 2^31) with halves toward +inf (SRDHM), then a right shift rounding half away from zero.
func referenceRequantize(_ x: Int32, _ m: Int32, _ shift: Int) -> Int32 {
    let left = max(shift, 0), right = max(-shift, 0)
    let shifted = Int64(Int32(truncatingIfNeeded: Int64(x) << Int64(left)))
    if shifted == Int64(Int32.min) && m == Int32.min { return Int32.max }
    let product = shifted * Int64(m)
    let high = product >= 0 ? (product + (1 << 30)) >> 31 : -((-product + (1 << 30) - 1) >> 31)
    if right == 0 { return Int32(high) }
    let divisor = Int64(1) << Int64(right)
    let q = high >= 0 ? (high + divisor / 2) / divisor : -((-high + divisor / 2) / divisor)
    return Int32(q)
}
