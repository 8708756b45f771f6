/// A TFLite model read, validated and planned, but without kernels: everything about a
/// model that does not depend on which operators Perch can run. `Interpreter` builds on
/// it; tools use it directly to describe models Perch cannot (yet) run.
public final class LoadedModel {
    /// Arena cap for `init(modelBytes:)`: far above what int8 edge models need, low
    /// enough that a corrupt shape fails cleanly instead of exhausting memory.
    public static let defaultArenaLimit = 256 << 20

    /// The model bytes, copied into 16-byte-aligned memory that constant tensors point into.
    let storage: AlignedAllocation
    /// Aligned copies of constant tensors whose data the file left misaligned for its type.
    private var realignedConstants: [AlignedAllocation] = []
    let graph: ModelDescription
    let layout: TensorLayout
    let plan: ArenaPlan

    public let arenaBytes: Int
    public let operatorCounts: [(name: String, count: Int)]
    public let multiplyAccumulates: Int
    public let summary: ModelSummary
    /// Data pointer of each constant tensor (nil for arena and unused tensors).
    private var constantData: [UnsafeMutableRawPointer?] = []

    public convenience init(modelBytes: [UInt8]) throws(ModelError) {
        try self.init(modelBytes: modelBytes, arenaLimit: LoadedModel.defaultArenaLimit)
    }

    public init(modelBytes: [UInt8], arenaLimit: Int) throws(ModelError) {
        let copy = modelBytes.withUnsafeBytes { AlignedAllocation(copying: $0) }
        storage = copy
        let file = FlatBuffer(base: UnsafeRawPointer(copy.pointer), count: copy.count)
        graph = try readModel(file)
        layout = try layOutTensors(graph)
        // Keep the limit far from Int.max so the planner's offset sums cannot overflow.
        plan = try planArena(layout.buffers, limit: min(max(arenaLimit, 0), Int.max >> 2))
        arenaBytes = plan.size
        operatorCounts = countOperators(graph.operators)
        multiplyAccumulates = totalMultiplyAccumulates(graph)

        summary = summarizeModel(graph, layout: layout, arenaBytes: plan.size, modelBytes: modelBytes.count,
                                 operatorCounts: operatorCounts, multiplyAccumulates: multiplyAccumulates)
        constantData = resolveConstants()
    }

    /// Pointers to constant data. The model copy is 16-aligned and TFLite aligns buffer
    /// data to 16, but a file need not honour that; kernels load typed values, so data
    /// misaligned for its element type is copied to aligned memory.
    private func resolveConstants() -> [UnsafeMutableRawPointer?] {
        var pointers: [UnsafeMutableRawPointer?] = []
        pointers.reserveCapacity(graph.tensors.count)
        for (t, placement) in layout.placements.enumerated() {
            guard case .constant(let position) = placement else {
                pointers.append(nil)
                continue
            }
            let data = storage.pointer + position
            let alignment = min(graph.tensors[t].type.byteSize ?? 1, tensorAlignment)
            if Int(bitPattern: data) % alignment == 0 {
                pointers.append(data)
            } else {
                let copy = AlignedAllocation(copying: UnsafeRawBufferPointer(start: data, count: layout.byteCounts[t]))
                realignedConstants.append(copy)
                pointers.append(copy.pointer)
            }
        }
        return pointers
    }

    public var tensorCount: Int { graph.tensors.count }
    public var operatorCount: Int { graph.operators.count }
    public var inputIndices: [Int] { graph.inputs }
    public var outputIndices: [Int] { graph.outputs }

    /// Every tensor with its data pointer resolved against `arena` (which must hold
    /// `arenaBytes` bytes). Unused tensors point at the arena's start and hold nothing.
    func resolveTensors(arena: UnsafeMutableRawPointer) -> [Tensor] {
        var tensors: [Tensor] = []
        tensors.reserveCapacity(graph.tensors.count)
        for (t, description) in graph.tensors.enumerated() {
            var data = arena
            var constant = false
            switch layout.placements[t] {
            case .constant:
                data = constantData[t] ?? arena
                constant = true
            case .arena(let buffer):
                data = arena + plan.offsets[buffer]
            case .unused:
                break
            }
            tensors.append(Tensor(name: description.name, type: description.type, shape: description.shape,
                                  quantization: description.quantization, isConstant: constant, data: data))
        }
        return tensors
    }

    /// What `makeKernel` sees for operator `node`.
    func prepareContext(node: Int, tensors: [Tensor]) -> PrepareContext {
        let op = graph.operators[node]
        return PrepareContext(nodeIndex: node, op: op.opcode.op, options: op.options,
                              inputIndices: op.inputs, outputIndices: op.outputs, tensors: tensors)
    }
}
