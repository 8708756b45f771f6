/// Runs subgraph 0 of an int8 TFLite model.
///
/// Loading does all the work that can fail or allocate: parse and validate the file,
/// plan one arena for every non-constant tensor, and prepare a kernel per operator.
/// `invoke()` then only runs the kernels: no allocation, no failure.
public final class Interpreter {
    public let model: LoadedModel
    private let arena: AlignedAllocation
    /// All tensors of subgraph 0, data pointers resolved.
    public let tensors: [Tensor]
    private let kernels: [Kernel]
    /// The kernels' executors unretained (`kernels` owns them), for `invoke()`'s loop.
    private let calls: UnsafeMutablePointer<Unmanaged<Kernel>>

    public let arenaBytes: Int
    public let operatorCounts: [(name: String, count: Int)]
    public let multiplyAccumulates: Int

    public let options: RuntimeOptions
    /// The threads one inference runs on, made with the interpreter (nil: the caller's only).
    private let runner: (any ParallelRunner)?
    /// Threads one inference uses: `options.threads`, or 1 when no runner could be made.
    public var threads: Int { runner?.threadCount ?? 1 }

    public convenience init(modelBytes: [UInt8], options: RuntimeOptions = RuntimeOptions()) throws(ModelError) {
        try self.init(model: LoadedModel(modelBytes: modelBytes), options: options)
    }

    public init(model: LoadedModel, options: RuntimeOptions = RuntimeOptions()) throws(ModelError) {
        self.options = options
        self.model = model
        arena = AlignedAllocation(count: model.arenaBytes)
        tensors = model.resolveTensors(arena: arena.pointer)
        arenaBytes = model.arenaBytes
        operatorCounts = model.operatorCounts
        multiplyAccumulates = model.multiplyAccumulates
        Interpreter.initializeVariables(model, tensors)
        if options.threads > 1, let make = options.makeRunner, let made = make(options.threads), made.threadCount > 1 {
            runner = made
        } else {
            runner = nil
        }

        var prepared: [Kernel] = []
        prepared.reserveCapacity(model.operatorCount)
        for node in 0..<model.operatorCount {
            let opcode = model.graph.operators[node].opcode
            // Perch has no custom kernels; name the custom code rather than "CUSTOM".
            guard !opcode.isCustom else {
                throw ModelError.unsupportedOperator(name: opcode.displayName, nodeIndex: node)
            }
            var context = model.prepareContext(node: node, tensors: tensors)
            context.kernelPath = options.kernelPath
            context.parallel = runner.map {
                Parallelism(runner: $0, minimumPartMultiplyAccumulates: options.minimumPartMultiplyAccumulates)
            }
            prepared.append(try makeKernel(context))
        }
        kernels = prepared
        calls = .allocate(capacity: max(prepared.count, 1))
        for (i, kernel) in prepared.enumerated() { (calls + i).initialize(to: .passUnretained(kernel.executor)) }
    }

    deinit { calls.deallocate() }

    /// Variable tensors (state kept across invocations) start at their initial value
    /// from the file if it has one, otherwise at the quantized zero.
    private static func initializeVariables(_ model: LoadedModel, _ tensors: [Tensor]) {
        for (t, description) in model.graph.tensors.enumerated() where description.isVariable {
            guard case .arena = model.layout.placements[t] else { continue }
            let bytes = model.layout.byteCounts[t]
            let buffer = model.graph.buffers[description.bufferIndex]
            if !buffer.isEmpty && buffer.byteCount >= bytes {
                tensors[t].data.copyMemory(from: model.storage.pointer + buffer.position, byteCount: bytes)
            } else if description.type == .int8, let zp = description.quantization?.zeroPoint {
                tensors[t].data.initializeMemory(as: Int8.self, repeating: Int8(truncatingIfNeeded: zp), count: bytes)
            } else if description.type == .int16, let zp = description.quantization?.zeroPoint {
                tensors[t].data.initializeMemory(as: Int16.self, repeating: Int16(truncatingIfNeeded: zp),
                                                 count: bytes / 2)
            }
        }
    }

    /// Runs every operator once, in order. Write the inputs first; read the outputs after.
    public func invoke() {
        let count = kernels.count
        var i = 0
        while i < count {
            calls[i]._withUnsafeGuaranteedRef { $0.invoke() }
            i &+= 1
        }
        runner?.rest()
    }

    /// Runs every operator once like `invoke()`, adding each operator's duration to
    /// `nanoseconds[i]` (operatorCount entries), read from `clock` before and after it.
    /// `invoke()` itself carries no timing code.
    public func invoke(timedBy clock: () -> Int64, into nanoseconds: UnsafeMutablePointer<Int64>) {
        var before = clock()
        for (i, kernel) in kernels.enumerated() {
            kernel.invoke()
            let after = clock()
            nanoseconds[i] &+= after &- before
            before = after
        }
        runner?.rest()
    }

    /// Runs operator `i` alone on whatever its input tensors hold (profiling: `perch bench
    /// --operator`). The operators before it must have run at least once for meaningful data.
    public func invokeOperator(_ i: Int) {
        precondition(i >= 0 && i < kernels.count, "operator index out of range")
        kernels[i].invoke()
    }

    /// The builtin operator name of node `i` (CONV_2D, …).
    public func operatorName(_ i: Int) -> String { model.graph.operators[i].opcode.displayName }

    /// Multiply-accumulates of node `i` (0 for operators that do none).
    public func operatorMultiplyAccumulates(_ i: Int) -> Int {
        PerchRuntime.multiplyAccumulates(of: model.graph.operators[i], tensors: model.graph.tensors)
    }

    public var operatorCount: Int { kernels.count }

    /// Operators whose work is split over the threads (the others run on the caller's).
    public var splitOperatorCount: Int { kernels.reduce(0) { $0 + ($1.workParts > 1 ? 1 : 0) } }

    public var inputs: [Tensor] { model.inputIndices.map { tensors[$0] } }
    public var outputs: [Tensor] { model.outputIndices.map { tensors[$0] } }
    public var summary: ModelSummary { model.summary }

    /// The bytes of graph input `i` (0 ..< inputs.count), to fill before every `invoke()`:
    /// once the graph has consumed an input its memory may hold intermediates (as in
    /// TFLite Micro), so the contents do not survive a run.
    public func input(_ i: Int) -> UnsafeMutableRawBufferPointer {
        let indices = model.inputIndices
        precondition(i >= 0 && i < indices.count, "input index out of range")
        return bytes(of: indices[i])
    }

    /// The bytes of graph output `i` (0 ..< outputs.count), valid after `invoke()`.
    public func output(_ i: Int) -> UnsafeMutableRawBufferPointer {
        let indices = model.outputIndices
        precondition(i >= 0 && i < indices.count, "output index out of range")
        return bytes(of: indices[i])
    }

    private func bytes(of tensor: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: tensors[tensor].data, count: model.layout.byteCounts[tensor])
    }
}
