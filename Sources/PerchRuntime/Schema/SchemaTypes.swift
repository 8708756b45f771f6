/// Plain values read out of a TFLite flatbuffer. They hold no pointers into the file
/// except `BufferDescription`'s byte range, which the loader resolves against its own copy.

/// One entry of `Model.operator_codes`.
struct OperatorCodeDescription {
    /// The effective builtin code: max(deprecated_builtin_code, builtin_code), because
    /// files written before code 127 existed only set the deprecated byte.
    let code: Int32
    let op: BuiltinOperator
    let customCode: String?
    let version: Int32

    var isCustom: Bool { code == customOperatorCode }

    /// "CONV_2D", or "CUSTOM(name)" for custom operators.
    var displayName: String {
        isCustom ? "CUSTOM(" + (customCode ?? "unnamed") + ")" : op.name
    }
}

/// Where a `Model.buffers` entry's bytes are, as absolute positions in the file.
struct BufferDescription {
    let position: Int
    let byteCount: Int
    var isEmpty: Bool { byteCount == 0 }
}

/// One entry of `SubGraph.tensors`.
struct TensorDescription {
    let name: String
    let type: ElementType
    let shape: [Int]
    let bufferIndex: Int
    let quantization: Quantization?
    let isVariable: Bool
}

/// One entry of `SubGraph.operators`. Tensor indices are validated (-1 = omitted).
struct OperatorDescription {
    let opcode: OperatorCodeDescription
    let inputs: [Int]
    let outputs: [Int]
    let options: OperatorOptions
}

/// The parts of a model Perch uses: all operator codes and subgraph 0.
struct ModelDescription {
    let schemaVersion: UInt32
    let description: String?
    let subgraphCount: Int
    let subgraphName: String?
    let tensors: [TensorDescription]
    let inputs: [Int]
    let outputs: [Int]
    let operators: [OperatorDescription]
    /// Indexed by `TensorDescription.bufferIndex`; every index is in range.
    let buffers: [BufferDescription]
}

/// "[1, 96, 96, 1]" (string interpolation of arrays is not available in Embedded Swift).
func describeShape(_ shape: [Int]) -> String {
    var text = "["
    for (i, dim) in shape.enumerated() {
        if i > 0 { text += ", " }
        text += "\(dim)"
    }
    return text + "]"
}
