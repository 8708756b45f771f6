/// Reads `Tensor` and `QuantizationParameters` tables.

/// The largest rank Perch accepts; TFLite kernels stop at 5–6 and it bounds the work a
/// hostile file can cause by sharing one long shape vector between many tensors.
let maxTensorRank = 8

/// Names of `TensorType` values that `ElementType` does not cover.
private func tensorTypeName(_ raw: Int8) -> String {
    switch raw {
    case 11: return "COMPLEX128"
    case 12: return "UINT64"
    case 13: return "RESOURCE"
    case 14: return "VARIANT"
    case 15: return "UINT32"
    case 16: return "UINT16"
    case 17: return "INT4"
    case 18: return "BFLOAT16"
    default: return "unknown type"
    }
}

func readTensor(_ table: FlatTable, index: Int, bufferCount: Int) throws(ModelError) -> TensorDescription {
    let name = try table.string(TensorField.name, field: "name") ?? ""
    let label = "Tensor[\(index)] '" + name + "'"

    let rawType = try table.integer(TensorField.type, Int8.self, default: 0, field: "type")
    guard rawType >= 0, let type = ElementType(rawValue: UInt8(rawType)) else {
        throw ModelError.unsupportedType(label + " has tensor type " + tensorTypeName(rawType)
                                         + " (\(rawType)); Perch stores numeric types up to FLOAT64")
    }

    var shape: [Int] = []
    if let dims = try table.vector(TensorField.shape, elementSize: 4, field: "shape") {
        guard dims.count <= maxTensorRank else {
            throw ModelError.inconsistent(label + " has rank \(dims.count); at most \(maxTensorRank) is supported")
        }
        shape = dims.integers(as: Int32.self)
        for dim in shape where dim < 0 {
            throw ModelError.inconsistent(label + " has a negative dimension in shape " + describeShape(shape)
                                          + "; dynamic shapes are not supported")
        }
    }

    let rawBuffer = try table.integer(TensorField.buffer, UInt32.self, default: 0, field: "buffer")
    let buffer = Int(exactly: rawBuffer) ?? Int.max
    guard buffer < bufferCount else {
        throw ModelError.inconsistent(label + " refers to buffer \(buffer) but the model has \(bufferCount) buffers")
    }

    if try table.table(TensorField.sparsity, field: "sparsity") != nil {
        throw ModelError.unsupportedType(label + " is a sparse tensor; densify the model before converting")
    }

    var quantization: Quantization? = nil
    if let q = try table.table(TensorField.quantization, field: "quantization",
                               childName: "Tensor[\(index)].quantization") {
        quantization = try readQuantization(q, shape: shape, label: label)
    }

    let isVariable = try table.bool(TensorField.isVariable, default: false, field: "is_variable")
    return TensorDescription(name: name, type: type, shape: shape, bufferIndex: buffer,
                             quantization: quantization, isVariable: isVariable)
}

/// Affine parameters, or nil when the table carries no scales (e.g. float tensors).
/// `min`/`max` are for converters only and `details` (custom quantization) is ignored,
/// as TFLite Micro does.
private func readQuantization(_ table: FlatTable, shape: [Int], label: String) throws(ModelError) -> Quantization? {
    guard let scaleVector = try table.vector(QuantizationField.scale, elementSize: 4, field: "scale"),
          scaleVector.count > 0 else { return nil }
    let scales = scaleVector.floats()

    var zeroPoints = [Int32](repeating: 0, count: scales.count)
    if let zpVector = try table.vector(QuantizationField.zeroPoint, elementSize: 8, field: "zero_point"),
       zpVector.count > 0 {
        guard zpVector.count == scales.count else {
            throw ModelError.inconsistent(label + " has \(scales.count) scales but \(zpVector.count) zero points")
        }
        for i in 0..<zpVector.count {
            let value = zpVector.element(i, as: Int64.self)
            guard let narrow = Int32(exactly: value) else {
                throw ModelError.inconsistent(label + " has zero point \(value) outside the int32 range")
            }
            zeroPoints[i] = narrow
        }
    }

    let rawDimension = try table.integer(QuantizationField.quantizedDimension, Int32.self,
                                         default: 0, field: "quantized_dimension")
    guard rawDimension >= 0 else {
        throw ModelError.inconsistent(label + " has negative quantized_dimension \(rawDimension)")
    }
    var dimension = Int(rawDimension)
    if dimension >= shape.count {
        // person_detect's 1-D biases say quantized_dimension = 3. TFLite Micro runs the file;
        // for rank <= 1 and for per-tensor parameters the only meaningful axis is 0.
        guard shape.count <= 1 || scales.count == 1 else {
            throw ModelError.inconsistent(label + " has \(scales.count) per-channel scales along dimension \(dimension)"
                                          + " but its shape is " + describeShape(shape))
        }
        dimension = 0
    }
    if scales.count > 1 {
        let channels = shape.isEmpty ? 1 : shape[dimension]
        guard channels == scales.count else {
            throw ModelError.inconsistent(label + " has \(scales.count) per-channel scales but dimension \(dimension)"
                                          + " of shape " + describeShape(shape) + " has \(channels) channels")
        }
    }
    return Quantization(scales: scales, zeroPoints: zeroPoints, dimension: dimension)
}
