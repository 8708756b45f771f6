/// Validation helpers for the prepare step: each failure becomes a `ModelError` that
/// names the node, the operator and what is wrong.
extension PrepareContext {
    func fail(_ reason: String) -> ModelError {
        .invalidNode(nodeIndex: nodeIndex, op: op.name, reason: reason)
    }

    func requireInputCount(_ range: ClosedRange<Int>) throws(ModelError) {
        guard range.contains(inputCount) else {
            throw fail("expected \(range.lowerBound)...\(range.upperBound) inputs, found \(inputCount)")
        }
    }

    func requireInput(_ i: Int, _ role: String) throws(ModelError) -> Tensor {
        guard let t = input(i) else { throw fail("missing input \(i) (\(role))") }
        return t
    }

    func requireOutput(_ i: Int = 0) throws(ModelError) -> Tensor {
        guard let t = output(i) else { throw fail("missing output \(i)") }
        return t
    }

    func requireType(_ t: Tensor, _ role: String, _ allowed: ElementType...) throws(ModelError) {
        for a in allowed where a == t.type { return }
        var names = ""
        for a in allowed { names += (names.isEmpty ? "" : " or ") + a.name }
        throw ModelError.unsupportedType("node \(nodeIndex) (\(op.name)): \(role) '\(t.name)' is \(t.type.name), expected \(names)")
    }

    func requireRank(_ t: Tensor, _ role: String, _ rank: Int) throws(ModelError) {
        guard t.shape.count == rank else {
            throw ModelError.shapeMismatch("node \(nodeIndex) (\(op.name)): \(role) '\(t.name)' has rank \(t.shape.count), expected \(rank)")
        }
        try requireNonNegativeDims(t, role)
    }

    func requireNonNegativeDims(_ t: Tensor, _ role: String) throws(ModelError) {
        for d in t.shape where d < 0 {
            throw shapeError("\(role) '\(t.name)' has a negative dimension in \(shapeDescription(t.shape))")
        }
    }

    func requireSameShape(_ a: Tensor, _ b: Tensor, _ what: String) throws(ModelError) {
        guard a.shape == b.shape else {
            throw shapeError("\(what): \(shapeDescription(a.shape)) vs \(shapeDescription(b.shape))")
        }
    }

    func shapeError(_ reason: String) -> ModelError {
        .shapeMismatch("node \(nodeIndex) (\(op.name)): \(reason)")
    }

    /// Per-tensor (scale, zero point) of a quantized tensor; rejects missing or
    /// non-positive scales.
    func perTensorQuantization(_ t: Tensor, _ role: String) throws(ModelError) -> (scale: Float, zeroPoint: Int32) {
        guard let q = t.quantization, !q.scales.isEmpty else {
            throw fail("\(role) '\(t.name)' has no quantization parameters")
        }
        let scale = q.scales[0]
        guard scale > 0 && scale.isFinite else {
            throw fail("\(role) '\(t.name)' has invalid scale \(scale)")
        }
        let zp = q.zeroPoint
        if let range = quantizedTypeRange(t.type), zp < range.min || zp > range.max {
            throw fail("\(role) '\(t.name)' zero point \(zp) is outside its type's range")
        }
        return (scale, zp)
    }

    /// The int32 values of a constant 1-D (or scalar) tensor, e.g. axes or a permutation.
    func constantInt32Values(_ t: Tensor, _ role: String) throws(ModelError) -> [Int] {
        guard t.isConstant else { throw fail("\(role) '\(t.name)' must be a constant tensor") }
        try requireType(t, role, .int32, .int64)
        let count = t.elementCount
        var values: [Int] = []
        values.reserveCapacity(count)
        if t.type == .int32 {
            let p = t.data.assumingMemoryBound(to: Int32.self)
            for i in 0..<count { values.append(Int(p[i])) }
        } else {
            let p = t.data.assumingMemoryBound(to: Int64.self)
            for i in 0..<count { values.append(Int(truncatingIfNeeded: p[i])) }
        }
        return values
    }
}

/// Formats a shape as `[1, 2, 3]` (embedded Swift cannot interpolate arrays).
func shapeDescription(_ shape: [Int]) -> String {
    var s = "["
    for (i, d) in shape.enumerated() { s += (i == 0 ? "" : ", ") + String(d) }
    return s + "]"
}

func product(_ dims: ArraySlice<Int>) -> Int {
    var p = 1
    for d in dims { p = p &* d }
    return p
}
