/// What a model is, for people: its inputs and outputs, operators, memory and work.
/// A CLI prints it; nothing here formats beyond what Embedded Swift lacks (arrays).

public struct TensorSummary: Sendable {
    public let index: Int
    public let name: String
    public let type: ElementType
    public let shape: [Int]
    /// Empty when the tensor is not quantized; one entry when per-tensor.
    public let scales: [Float]
    public let zeroPoints: [Int32]
    public let quantizedDimension: Int
    public let byteCount: Int

    /// The per-tensor scale, or nil when unquantized or per-channel.
    public var scale: Float? { scales.count == 1 ? scales[0] : nil }
    public var zeroPoint: Int32? { zeroPoints.count == 1 ? zeroPoints[0] : nil }
    /// "[1, 96, 96, 1]".
    public var shapeDescription: String { describeShape(shape) }
}

public struct ModelSummary: Sendable {
    public let schemaVersion: UInt32
    public let modelDescription: String?
    public let subgraphCount: Int
    public let tensorCount: Int
    public let operatorCount: Int
    public let inputs: [TensorSummary]
    public let outputs: [TensorSummary]
    /// Operator names ("CONV_2D", "CUSTOM(name)") in order of first appearance.
    public let operatorCounts: [(name: String, count: Int)]
    /// Bytes of the file and of the constant tensors (weights, biases) in it.
    public let modelBytes: Int
    public let constantBytes: Int
    /// Bytes of the one arena holding all non-constant tensors.
    public let arenaBytes: Int
    public let multiplyAccumulates: Int
}

func summarizeTensor(_ tensor: TensorDescription, index: Int, byteCount: Int) -> TensorSummary {
    TensorSummary(index: index, name: tensor.name, type: tensor.type, shape: tensor.shape,
                  scales: tensor.quantization?.scales ?? [], zeroPoints: tensor.quantization?.zeroPoints ?? [],
                  quantizedDimension: tensor.quantization?.dimension ?? 0, byteCount: byteCount)
}

func summarizeModel(_ graph: ModelDescription, layout: TensorLayout, arenaBytes: Int, modelBytes: Int,
                    operatorCounts: [(name: String, count: Int)], multiplyAccumulates: Int) -> ModelSummary {
    var constantBytes = 0
    for (t, placement) in layout.placements.enumerated() {
        if case .constant = placement { constantBytes += layout.byteCounts[t] }
    }
    func tensorSummary(_ t: Int) -> TensorSummary {
        summarizeTensor(graph.tensors[t], index: t, byteCount: layout.byteCounts[t])
    }
    return ModelSummary(schemaVersion: graph.schemaVersion, modelDescription: graph.description,
                        subgraphCount: graph.subgraphCount, tensorCount: graph.tensors.count,
                        operatorCount: graph.operators.count,
                        inputs: graph.inputs.map(tensorSummary), outputs: graph.outputs.map(tensorSummary),
                        operatorCounts: operatorCounts, modelBytes: modelBytes, constantBytes: constantBytes,
                        arenaBytes: arenaBytes, multiplyAccumulates: multiplyAccumulates)
}

/// Operator names with their counts, in order of first appearance. A linear search:
/// models use a handful of distinct operators, and it avoids hashing (which Embedded
/// Swift backs with a random seed source not every target links).
func countOperators(_ operators: [OperatorDescription]) -> [(name: String, count: Int)] {
    var counts: [(name: String, count: Int)] = []
    var codes: [Int32] = []   // the operator code of each entry in `counts`
    for op in operators {
        let name = op.opcode.displayName
        var slot = -1
        for i in counts.indices where codes[i] == op.opcode.code {
            // Custom operators share one code; their names tell them apart.
            if !op.opcode.isCustom || sameBytes(counts[i].name, name) {
                slot = i
                break
            }
        }
        if slot >= 0 {
            counts[slot].count += 1
        } else {
            counts.append((name, 1))
            codes.append(op.opcode.code)
        }
    }
    return counts
}

/// Byte-wise equality (String == needs Unicode tables Embedded Swift may not link).
func sameBytes(_ a: String, _ b: String) -> Bool {
    a.utf8.elementsEqual(b.utf8)
}
