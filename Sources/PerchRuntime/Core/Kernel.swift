/// A prepared operator: everything that does not depend on the data (multipliers,
/// shifts, zero points, activation ranges, tensor pointers, tables) was computed when it
/// was made. `invoke` never allocates and cannot fail, as in TFLite Micro's Prepare/Eval split.
///
/// A base class rather than a protocol: the interpreter calls `invoke` through the vtable on
/// an unretained reference. Calling it on an `any Kernel` loaded from an array retains and
/// releases the object around every call (about 100 aarch64 instructions per operator, a third
/// of a 288-MAC model's inference).
public class Kernel {
    init() {}

    /// Runs the operator on its tensors. Every kernel overrides it.
    public func invoke() {}

    /// The kernel whose `invoke` does this one's work: itself, or an engine this one only
    /// forwards to, which the interpreter then calls directly (one dispatch less per operator).
    var executor: Kernel { self }

    /// How many parts `invoke` cuts its work into over the interpreter's threads (1: not split).
    var workParts: Int { 1 }
}

/// What an operator's prepare step sees: its node, its tensors (data pointers already
/// resolved) and its parsed options.
public struct PrepareContext {
    /// Index of the operator in the subgraph (for error messages).
    public var nodeIndex: Int
    public var op: BuiltinOperator
    public var options: OperatorOptions
    /// Tensor indices; -1 marks an omitted optional input (e.g. no bias).
    public var inputIndices: [Int]
    public var outputIndices: [Int]
    public var tensors: [Tensor]
    /// The micro-kernel family GEMM-shaped operators prepare for.
    public var kernelPath: KernelPath = .widening
    /// The interpreter's threads (nil: one); GEMM-shaped and depthwise operators split
    /// large work over them and make per-thread scratch for each.
    public var parallel: Parallelism? = nil

    public init(nodeIndex: Int, op: BuiltinOperator, options: OperatorOptions,
                inputIndices: [Int], outputIndices: [Int], tensors: [Tensor]) {
        self.nodeIndex = nodeIndex
        self.op = op
        self.options = options
        self.inputIndices = inputIndices
        self.outputIndices = outputIndices
        self.tensors = tensors
    }

    public var inputCount: Int { inputIndices.count }
    public var outputCount: Int { outputIndices.count }

    /// Input `i`, or nil when it is absent (-1) or out of range.
    public func input(_ i: Int) -> Tensor? {
        guard i < inputIndices.count, inputIndices[i] >= 0 else { return nil }
        return tensors[inputIndices[i]]
    }

    public func output(_ i: Int) -> Tensor? {
        guard i < outputIndices.count, outputIndices[i] >= 0 else { return nil }
        return tensors[outputIndices[i]]
    }
}
