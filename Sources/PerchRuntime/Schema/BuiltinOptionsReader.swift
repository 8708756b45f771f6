/// Parses an operator's `builtin_options` union into `OperatorOptions`.
///
/// Like TFLite Micro's flatbuffer_conversions, the operator decides which options table
/// it reads; an operator without an options table gets `.none` (kernels apply the
/// schema defaults). Values no kernel could run (stride 0, unknown padding or
/// activation) are rejected here so every kernel can rely on them.

/// The `BuiltinOptions` member each operator with options expects (nil: options unused).
private func expectedOptionsType(_ op: BuiltinOperator) -> UInt8? {
    switch op {
    case .conv2D: return BuiltinOptionsType.conv2D
    case .depthwiseConv2D: return BuiltinOptionsType.depthwiseConv2D
    case .averagePool2D, .maxPool2D: return BuiltinOptionsType.pool2D
    case .fullyConnected: return BuiltinOptionsType.fullyConnected
    case .softmax: return BuiltinOptionsType.softmax
    case .concatenation: return BuiltinOptionsType.concatenation
    case .add: return BuiltinOptionsType.add
    case .sub: return BuiltinOptionsType.sub
    case .mul: return BuiltinOptionsType.mul
    case .reshape: return BuiltinOptionsType.reshape
    case .mean: return BuiltinOptionsType.reducer
    case .squeeze: return BuiltinOptionsType.squeeze
    case .stridedSlice: return BuiltinOptionsType.stridedSlice
    case .batchMatMul: return BuiltinOptionsType.batchMatMul
    default: return nil
    }
}

/// Validates option values as they are read; `node`/`op` name the operator in errors.
private struct OptionsTable {
    let table: FlatTable
    let node: Int
    let op: String

    func invalid(_ reason: String) -> ModelError {
        ModelError.invalidNode(nodeIndex: node, op: op, reason: reason)
    }

    func int(_ id: Int, _ field: String, default value: Int32 = 0) throws(ModelError) -> Int {
        Int(try table.integer(id, Int32.self, default: value, field: field))
    }

    /// A stride, dilation or filter size: it must be at least 1.
    func positive(_ id: Int, _ field: String, default value: Int32 = 0) throws(ModelError) -> Int {
        let v = try int(id, field, default: value)
        guard v >= 1 else { throw invalid(field + " is \(v); it must be at least 1") }
        return v
    }

    func bool(_ id: Int, _ field: String) throws(ModelError) -> Bool {
        try table.bool(id, default: false, field: field)
    }

    func padding(_ id: Int) throws(ModelError) -> Padding {
        let raw = try table.integer(id, Int8.self, default: 0, field: "padding")
        guard let p = Padding(rawValue: raw) else { throw invalid("unknown padding \(raw)") }
        return p
    }

    func activation(_ id: Int) throws(ModelError) -> FusedActivation {
        let raw = try table.integer(id, Int8.self, default: 0, field: "fused_activation_function")
        guard let a = FusedActivation(rawValue: raw) else { throw invalid("unknown fused activation \(raw)") }
        return a
    }

    func intVector(_ id: Int, _ field: String) throws(ModelError) -> [Int]? {
        guard let v = try table.vector(id, elementSize: 4, field: field) else { return nil }
        guard v.count <= maxTensorRank else {
            throw invalid(field + " has \(v.count) entries; at most \(maxTensorRank) are supported")
        }
        return v.integers(as: Int32.self)
    }
}

func readBuiltinOptions(_ operatorTable: FlatTable, op: BuiltinOperator, nodeIndex: Int) throws(ModelError) -> OperatorOptions {
    guard let expected = expectedOptionsType(op) else { return .none }
    let type = try operatorTable.integer(OperatorField.builtinOptionsType, UInt8.self, default: 0,
                                         field: "builtin_options_type")
    guard let table = try operatorTable.table(OperatorField.builtinOptions, field: "builtin_options") else {
        return .none
    }
    guard type == expected else {
        throw ModelError.invalidNode(nodeIndex: nodeIndex, op: op.name,
                                     reason: "builtin_options has union type \(type); \(op.name) takes type \(expected)")
    }
    let o = OptionsTable(table: table, node: nodeIndex, op: op.name)
    switch op {
    case .conv2D:
        var c = Conv2DOptions()
        c.padding = try o.padding(0)
        c.strideW = try o.positive(1, "stride_w")
        c.strideH = try o.positive(2, "stride_h")
        c.activation = try o.activation(3)
        c.dilationW = try o.positive(4, "dilation_w_factor", default: 1)
        c.dilationH = try o.positive(5, "dilation_h_factor", default: 1)
        return .conv2D(c)
    case .depthwiseConv2D:
        var d = DepthwiseConv2DOptions()
        d.padding = try o.padding(0)
        d.strideW = try o.positive(1, "stride_w")
        d.strideH = try o.positive(2, "stride_h")
        // Redundant with the filter shape and ignored by current kernels, so not validated.
        d.depthMultiplier = try o.int(3, "depth_multiplier")
        d.activation = try o.activation(4)
        d.dilationW = try o.positive(5, "dilation_w_factor", default: 1)
        d.dilationH = try o.positive(6, "dilation_h_factor", default: 1)
        return .depthwiseConv2D(d)
    case .averagePool2D, .maxPool2D:
        var p = Pool2DOptions()
        p.padding = try o.padding(0)
        p.strideW = try o.positive(1, "stride_w")
        p.strideH = try o.positive(2, "stride_h")
        p.filterW = try o.positive(3, "filter_width")
        p.filterH = try o.positive(4, "filter_height")
        p.activation = try o.activation(5)
        return .pool2D(p)
    case .fullyConnected:
        var f = FullyConnectedOptions()
        f.activation = try o.activation(0)
        f.weightsFormat = try table.integer(1, Int8.self, default: 0, field: "weights_format")
        f.keepNumDims = try o.bool(2, "keep_num_dims")
        return .fullyConnected(f)
    case .softmax:
        return .softmax(beta: try table.float(0, default: 0, field: "beta"))
    case .concatenation:
        return .concatenation(axis: try o.int(0, "axis"), activation: try o.activation(1))
    case .add, .sub, .mul:
        return .arithmetic(activation: try o.activation(0))
    case .reshape:
        return .reshape(newShape: try o.intVector(0, "new_shape"))
    case .mean:
        return .reducer(keepDims: try o.bool(0, "keep_dims"))
    case .squeeze:
        return .squeeze(dims: try o.intVector(0, "squeeze_dims") ?? [])
    case .stridedSlice:
        var s = StridedSliceOptions()
        s.beginMask = try table.integer(0, Int32.self, default: 0, field: "begin_mask")
        s.endMask = try table.integer(1, Int32.self, default: 0, field: "end_mask")
        s.ellipsisMask = try table.integer(2, Int32.self, default: 0, field: "ellipsis_mask")
        s.newAxisMask = try table.integer(3, Int32.self, default: 0, field: "new_axis_mask")
        s.shrinkAxisMask = try table.integer(4, Int32.self, default: 0, field: "shrink_axis_mask")
        s.offset = try o.bool(5, "offset")
        return .stridedSlice(s)
    case .batchMatMul:
        return .batchMatMul(adjointX: try o.bool(0, "adj_x"), adjointY: try o.bool(1, "adj_y"))
    default:
        return .none
    }
}
