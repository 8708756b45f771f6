/// Decides where each tensor of subgraph 0 lives and for how long.
///
/// Constant tensors (a non-empty buffer, not variable) stay in the model copy. Every
/// other tensor an operator or the graph's inputs/outputs touches gets an arena buffer
/// alive from its first to its last use; graph inputs from the start, graph outputs and
/// variables until the end. Tensors nobody touches get no memory.

enum TensorPlacement {
    /// Constant data at this byte position of the model copy.
    case constant(position: Int)
    /// Index into the planned buffers.
    case arena(buffer: Int)
    case unused
}

struct TensorLayout {
    var placements: [TensorPlacement]
    var buffers: [PlannedBuffer]
    /// The tensor each planned buffer belongs to.
    var bufferTensors: [Int]
    /// Byte size of each tensor (0 for unused string tensors).
    var byteCounts: [Int]
}

/// Byte size of a tensor, or an error naming it when it overflows or cannot be stored.
func tensorByteCount(_ tensor: TensorDescription, index: Int) throws(ModelError) -> Int {
    let label = "Tensor[\(index)] '" + tensor.name + "'"
    guard let elementSize = tensor.type.byteSize else {
        throw ModelError.unsupportedType(label + " has type " + tensor.type.name
                                         + ", which Perch cannot hold in tensor memory")
    }
    var bytes = elementSize
    for dim in tensor.shape {
        let (product, overflow) = bytes.multipliedReportingOverflow(by: dim)
        guard !overflow else {
            throw ModelError.inconsistent(label + " with shape " + describeShape(tensor.shape) + " is too large")
        }
        bytes = product
    }
    return bytes
}

func layOutTensors(_ model: ModelDescription) throws(ModelError) -> TensorLayout {
    let tensors = model.tensors
    let end = max(model.operators.count - 1, 0)
    var firstUse = [Int](repeating: Int.max, count: tensors.count)
    var lastUse = [Int](repeating: -1, count: tensors.count)
    var written = [Bool](repeating: false, count: tensors.count)

    func isConstant(_ t: Int) -> Bool {
        !tensors[t].isVariable && !model.buffers[tensors[t].bufferIndex].isEmpty
    }
    func touch(_ t: Int, _ step: Int) {
        firstUse[t] = min(firstUse[t], step)
        lastUse[t] = max(lastUse[t], step)
    }

    for (k, t) in model.inputs.enumerated() {
        guard !isConstant(t) else {
            throw ModelError.inconsistent("SubGraph[0].inputs[\(k)] is Tensor[\(t)] '" + tensors[t].name
                                          + "', which holds constant data")
        }
        touch(t, 0)
        written[t] = true
    }
    for (node, op) in model.operators.enumerated() {
        for t in op.inputs where t >= 0 && !isConstant(t) {
            // TFLite stores operators in execution order: reading a tensor nothing has
            // produced yet means the graph is broken (variables hold state, so they may).
            guard written[t] || tensors[t].isVariable else {
                throw ModelError.inconsistent("Operator[\(node)] (" + op.opcode.displayName + ") reads Tensor[\(t)] '"
                                              + tensors[t].name + "' before any operator produces it")
            }
            touch(t, node)
        }
        for (k, t) in op.outputs.enumerated() where t >= 0 {
            guard !isConstant(t) else {
                throw ModelError.inconsistent("Operator[\(node)] (" + op.opcode.displayName + ") output \(k) is Tensor[\(t)] '"
                                              + tensors[t].name + "', which holds constant data")
            }
            touch(t, node)
            written[t] = true
        }
    }
    for t in model.outputs where !isConstant(t) {
        if firstUse[t] == Int.max { firstUse[t] = 0 }
        lastUse[t] = end
    }
    for t in tensors.indices where tensors[t].isVariable {
        firstUse[t] = 0
        lastUse[t] = end
    }

    var layout = TensorLayout(placements: [], buffers: [], bufferTensors: [], byteCounts: [])
    layout.placements.reserveCapacity(tensors.count)
    layout.byteCounts.reserveCapacity(tensors.count)
    for (t, tensor) in tensors.enumerated() {
        let used = lastUse[t] >= 0
        let constant = isConstant(t)
        if !used && !constant {
            // Never touched: it needs no memory, and its type does not matter.
            layout.byteCounts.append(tensor.type.byteSize == nil ? 0 : try tensorByteCount(tensor, index: t))
            layout.placements.append(.unused)
            continue
        }
        let bytes = try tensorByteCount(tensor, index: t)
        layout.byteCounts.append(bytes)
        if constant {
            let buffer = model.buffers[tensor.bufferIndex]
            guard buffer.byteCount >= bytes else {
                throw ModelError.inconsistent("Tensor[\(t)] '" + tensor.name + "' (" + tensor.type.name + " "
                                              + describeShape(tensor.shape) + ") needs \(bytes) bytes but Buffer[\(tensor.bufferIndex)] holds \(buffer.byteCount)")
            }
            layout.placements.append(.constant(position: buffer.position))
        } else {
            layout.placements.append(.arena(buffer: layout.buffers.count))
            layout.buffers.append(PlannedBuffer(size: bytes, first: firstUse[t], last: lastUse[t]))
            layout.bufferTensors.append(t)
        }
    }
    return layout
}
