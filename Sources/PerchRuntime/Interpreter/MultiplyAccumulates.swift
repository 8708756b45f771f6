/// Multiply-accumulate count of one inference, from shapes alone (what benchmark tables
/// quote). Only the operators that dominate int8 models count; everything else is 0.
/// Saturates instead of overflowing: a hostile shape must not trap a statistic.

private func saturatingProduct(_ factors: [Int]) -> Int {
    var result = 1
    for f in factors {
        let (p, overflow) = result.multipliedReportingOverflow(by: max(f, 0))
        if overflow { return Int.max }
        result = p
    }
    return result
}

private func elementCount(_ shape: [Int]) -> Int { saturatingProduct(shape) }

/// MACs of operator `op`, whose tensor indices are valid for `tensors`.
func multiplyAccumulates(of op: OperatorDescription, tensors: [TensorDescription]) -> Int {
    func shape(_ list: [Int], _ i: Int) -> [Int]? {
        guard i < list.count, list[i] >= 0 else { return nil }
        return tensors[list[i]].shape
    }
    guard let output = shape(op.outputs, 0) else { return 0 }
    let outputElements = elementCount(output)
    switch op.opcode.op {
    case .conv2D:
        // Filter [outC, kH, kW, inC / groups]: every output element sums kH*kW*inC/groups products.
        guard let filter = shape(op.inputs, 1), filter.count == 4 else { return 0 }
        return saturatingProduct([outputElements, filter[1], filter[2], filter[3]])
    case .depthwiseConv2D:
        // Filter [1, kH, kW, outC]: one kH*kW window per output element.
        guard let filter = shape(op.inputs, 1), filter.count == 4 else { return 0 }
        return saturatingProduct([outputElements, filter[1], filter[2]])
    case .fullyConnected:
        // Weights [outDepth, accumDepth]; the output holds batches*outDepth elements.
        guard let weights = shape(op.inputs, 1), let accumulate = weights.last else { return 0 }
        return saturatingProduct([outputElements, accumulate])
    case .batchMatMul:
        // Output [..., M, N]; K is the contracted axis of the left-hand side.
        guard let lhs = shape(op.inputs, 0), lhs.count >= 2 else { return 0 }
        var adjointX = false
        if case .batchMatMul(let adjX, _) = op.options { adjointX = adjX }
        let k = adjointX ? lhs[lhs.count - 2] : lhs[lhs.count - 1]
        return saturatingProduct([outputElements, k])
    default:
        return 0
    }
}

func totalMultiplyAccumulates(_ model: ModelDescription) -> Int {
    var total = 0
    for op in model.operators {
        let (sum, overflow) = total.addingReportingOverflow(multiplyAccumulates(of: op, tensors: model.tensors))
        total = overflow ? Int.max : sum
    }
    return total
}
