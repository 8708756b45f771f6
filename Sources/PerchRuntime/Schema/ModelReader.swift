/// Reads the `Model` root table and subgraph 0 into a `ModelDescription`.
/// Only structure is checked here (bounds, indices, types); sizes and lifetimes are the
/// loader's job.

/// The schema version Perch reads (schema.fbs "Version 3").
let supportedSchemaVersion: UInt32 = 3

/// Limits that bound the work a hostile file can ask for (real models are far below).
let maxOperatorArity = 1024

func readModel(_ file: FlatBuffer) throws(ModelError) -> ModelDescription {
    guard let identifier = file.identifier, identifier == [0x54, 0x46, 0x4C, 0x33] else {  // "TFL3"
        throw ModelError.malformed(what: "file identifier is not TFL3; this is not a TensorFlow Lite model", offset: 4)
    }
    let model = try file.root(name: "Model")
    let version = try model.integer(ModelField.version, UInt32.self, default: 0, field: "version")
    guard version == supportedSchemaVersion else {
        throw ModelError.inconsistent("model uses schema version \(version); Perch reads version \(supportedSchemaVersion)")
    }
    let description = try model.string(ModelField.description, field: "description")

    let codes = try readOperatorCodes(model)
    let buffers = try readBuffers(model, fileSize: file.count)

    guard let subgraphs = try model.vector(ModelField.subgraphs, elementSize: 4, field: "subgraphs"),
          subgraphs.count > 0 else {
        throw ModelError.inconsistent("model has no subgraphs")
    }
    let graph = try subgraphs.table(0, name: "SubGraph[0]")
    let name = try graph.string(SubGraphField.name, field: "name")

    var tensors: [TensorDescription] = []
    if let list = try graph.vector(SubGraphField.tensors, elementSize: 4, field: "tensors") {
        tensors.reserveCapacity(list.count)
        for i in 0..<list.count {
            let table = try list.table(i, name: "Tensor[\(i)]")
            tensors.append(try readTensor(table, index: i, bufferCount: buffers.count))
        }
    }

    let inputs = try readTensorIndices(graph, SubGraphField.inputs, field: "inputs", owner: "SubGraph[0]",
                                       tensorCount: tensors.count, allowOmitted: false)
    let outputs = try readTensorIndices(graph, SubGraphField.outputs, field: "outputs", owner: "SubGraph[0]",
                                        tensorCount: tensors.count, allowOmitted: false)

    var operators: [OperatorDescription] = []
    if let list = try graph.vector(SubGraphField.operators, elementSize: 4, field: "operators") {
        operators.reserveCapacity(list.count)
        for i in 0..<list.count {
            let table = try list.table(i, name: "Operator[\(i)]")
            operators.append(try readOperator(table, index: i, codes: codes, tensorCount: tensors.count))
        }
    }

    return ModelDescription(schemaVersion: version, description: description, subgraphCount: subgraphs.count,
                            subgraphName: name, tensors: tensors, inputs: inputs, outputs: outputs,
                            operators: operators, buffers: buffers)
}

private func readOperatorCodes(_ model: FlatTable) throws(ModelError) -> [OperatorCodeDescription] {
    guard let list = try model.vector(ModelField.operatorCodes, elementSize: 4, field: "operator_codes") else {
        return []
    }
    var codes: [OperatorCodeDescription] = []
    codes.reserveCapacity(list.count)
    for i in 0..<list.count {
        let table = try list.table(i, name: "OperatorCode[\(i)]")
        let deprecated = try table.integer(OperatorCodeField.deprecatedBuiltinCode, Int8.self, default: 0,
                                           field: "deprecated_builtin_code")
        let extended = try table.integer(OperatorCodeField.builtinCode, Int32.self, default: 0, field: "builtin_code")
        let code = max(Int32(deprecated), extended)
        let custom = try table.string(OperatorCodeField.customCode, field: "custom_code")
        let version = try table.integer(OperatorCodeField.version, Int32.self, default: 1, field: "version")
        codes.append(OperatorCodeDescription(code: code, op: BuiltinOperator(code: code),
                                             customCode: custom, version: version))
    }
    return codes
}

/// Every buffer's byte range. Data normally sits in the `data` vector; files over 2 GB
/// put it after the flatbuffer and give `offset`/`size` (offset counts only when > 1).
private func readBuffers(_ model: FlatTable, fileSize: Int) throws(ModelError) -> [BufferDescription] {
    guard let list = try model.vector(ModelField.buffers, elementSize: 4, field: "buffers") else { return [] }
    var buffers: [BufferDescription] = []
    buffers.reserveCapacity(list.count)
    for i in 0..<list.count {
        let table = try list.table(i, name: "Buffer[\(i)]")
        if let data = try table.vector(BufferField.data, elementSize: 1, field: "data"), data.count > 0 {
            buffers.append(BufferDescription(position: data.start, byteCount: data.count))
            continue
        }
        let offset = try table.integer(BufferField.offset, UInt64.self, default: 0, field: "offset")
        let size = try table.integer(BufferField.size, UInt64.self, default: 0, field: "size")
        if offset > 1 {
            // Compare in UInt64 so a huge offset cannot overflow Int.
            guard offset <= UInt64(fileSize), size <= UInt64(fileSize) - offset else {
                throw ModelError.malformed(what: "Buffer[\(i)] offset \(offset) + size \(size) lies outside the "
                                           + "\(fileSize)-byte file", offset: table.position)
            }
            buffers.append(BufferDescription(position: Int(offset), byteCount: Int(size)))
        } else {
            buffers.append(BufferDescription(position: 0, byteCount: 0))
        }
    }
    return buffers
}

private func readOperator(_ table: FlatTable, index: Int, codes: [OperatorCodeDescription],
                          tensorCount: Int) throws(ModelError) -> OperatorDescription {
    let rawIndex = try table.integer(OperatorField.opcodeIndex, UInt32.self, default: 0, field: "opcode_index")
    let opcodeIndex = Int(exactly: rawIndex) ?? Int.max
    guard opcodeIndex < codes.count else {
        throw ModelError.inconsistent("Operator[\(index)] uses opcode_index \(opcodeIndex) but the model has "
                                      + "\(codes.count) operator codes")
    }
    let opcode = codes[opcodeIndex]
    let owner = "Operator[\(index)] (" + opcode.displayName + ")"
    let inputs = try readTensorIndices(table, OperatorField.inputs, field: "inputs", owner: owner,
                                       tensorCount: tensorCount, allowOmitted: true)
    let outputs = try readTensorIndices(table, OperatorField.outputs, field: "outputs", owner: owner,
                                        tensorCount: tensorCount, allowOmitted: true)
    let options = try readBuiltinOptions(table, op: opcode.op, nodeIndex: index)
    return OperatorDescription(opcode: opcode, inputs: inputs, outputs: outputs, options: options)
}

/// A vector of tensor indices, each in range; -1 (an omitted optional tensor) only
/// where `allowOmitted`.
private func readTensorIndices(_ table: FlatTable, _ id: Int, field: String, owner: String,
                               tensorCount: Int, allowOmitted: Bool) throws(ModelError) -> [Int] {
    guard let list = try table.vector(id, elementSize: 4, field: field) else { return [] }
    guard list.count <= maxOperatorArity else {
        throw ModelError.inconsistent(owner + "." + field + " lists \(list.count) tensors; at most "
                                      + "\(maxOperatorArity) are supported")
    }
    let indices = list.integers(as: Int32.self)
    for (position, tensor) in indices.enumerated() {
        if tensor == -1 && allowOmitted { continue }
        guard tensor >= 0 && tensor < tensorCount else {
            throw ModelError.inconsistent(owner + "." + field + "[\(position)] is tensor \(tensor) but the subgraph has "
                                          + "\(tensorCount) tensors")
        }
    }
    return indices
}
