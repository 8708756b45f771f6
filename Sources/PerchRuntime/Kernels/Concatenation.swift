/// CONCATENATION along one axis of any element type. For int8/uint8 inputs whose scale or
/// zero point differs from the output's, values are requantized with the formula of TFLite's
/// uint8 `ConcatenationWithScaling` (`round(x · s_in/s_out - zp_in · s_in/s_out) + zp_out`
/// in float, clamped), through a per-input byte table. TFLite Micro and desktop TFLite both
/// reject int8 inputs with unequal quantization (and the converter never emits them), so that
/// path has no oracle; with equal quantization this is a plain copy, checked by the op models.
final class ConcatenationKernel: Kernel {
    struct Part {
        var data: UnsafePointer<UInt8>
        /// Bytes of this input per outer index.
        var chunk: Int
        var table: OwnedBuffer<UInt8>?
    }

    let parts: [Part]
    let output: UnsafeMutablePointer<UInt8>
    let outerCount: Int

    init(parts: [Part], output: UnsafeMutablePointer<UInt8>, outerCount: Int) {
        self.parts = parts
        self.output = output
        self.outerCount = outerCount
    }

    override func invoke() {
        var out = output
        for o in 0..<outerCount {
            for part in parts {
                let src = part.data + o &* part.chunk
                if let table = part.table {
                    let t = table.base
                    for i in 0..<part.chunk { out[i] = t[Int(src[i])] }
                } else {
                    out.update(from: src, count: part.chunk)
                }
                out += part.chunk
            }
        }
    }
}

func prepareConcatenation(_ context: PrepareContext) throws(ModelError) -> ConcatenationKernel {
    var axisOption = 0
    var activation = FusedActivation.none
    if case .concatenation(let a, let act) = context.options { axisOption = a; activation = act }
    guard activation == .none else { throw context.fail("fused activations on CONCATENATION are not supported") }
    guard context.inputCount >= 1 else { throw context.fail("needs at least one input") }
    let output = try context.requireOutput()
    try context.requireNonNegativeDims(output, "output")
    guard let elementSize = output.type.byteSize else {
        throw ModelError.unsupportedType("node \(context.nodeIndex) (CONCATENATION): \(output.type.name)")
    }
    let rank = output.shape.count
    let axis = axisOption < 0 ? axisOption + rank : axisOption
    guard axis >= 0 && axis < rank else { throw context.fail("axis \(axisOption) is out of range for rank \(rank)") }
    let outerCount = product(output.shape[0..<axis])
    let innerCount = product(output.shape[(axis + 1)...])
    let quantized = output.type == .int8 || output.type == .uint8
    var outScale: Float = 0, outZeroPoint: Int32 = 0
    if quantized { (outScale, outZeroPoint) = try context.perTensorQuantization(output, "output") }

    var parts: [ConcatenationKernel.Part] = []
    var axisTotal = 0
    for i in 0..<context.inputCount {
        let t = try context.requireInput(i, "input \(i)")
        guard t.type == output.type, t.shape.count == rank else {
            throw context.shapeError("input \(i) '\(t.name)' (\(t.type.name) \(shapeDescription(t.shape))) does not match the output")
        }
        for d in 0..<rank where d != axis && t.shape[d] != output.shape[d] {
            throw context.shapeError("input \(i) \(shapeDescription(t.shape)) differs from output \(shapeDescription(output.shape)) off the axis")
        }
        axisTotal += t.shape[axis]
        var table: OwnedBuffer<UInt8>? = nil
        if quantized {
            let (s, z) = try context.perTensorQuantization(t, "input \(i)")
            if s != outScale || z != outZeroPoint {
                let scale = s * (1 / outScale)
                let bias = -Float(z) * scale
                // Valid scales can still have an infinite ratio (a subnormal output scale;
                // found by fuzzing), which no table can express.
                guard scale.isFinite && bias.isFinite else {
                    throw context.fail("input \(i) scale \(s) over output scale \(outScale) is not a finite ratio")
                }
                let range = quantizedTypeRange(output.type) ?? ActivationRange(min: -128, max: 127)
                let lut = OwnedBuffer<UInt8>(count: 256, initialValue: 0)
                for raw in 0..<256 {
                    let x = output.type == .int8 ? Float(Int8(truncatingIfNeeded: raw)) : Float(raw)
                    // A huge finite ratio saturates here (Int32(_:) would trap); the output
                    // range clamps it the same way.
                    let scaled = min(max((x * scale + bias).rounded(.toNearestOrAwayFromZero), -4294967296), 4294967296)
                    let v = Int64(scaled) + Int64(outZeroPoint)
                    lut[raw] = UInt8(truncatingIfNeeded: min(max(v, Int64(range.min)), Int64(range.max)))
                }
                table = lut
            }
        }
        parts.append(.init(data: UnsafePointer(t.pointer(as: UInt8.self)),
                           chunk: t.shape[axis] * innerCount * elementSize, table: table))
    }
    guard axisTotal == output.shape[axis] else {
        throw context.shapeError("inputs add up to \(axisTotal) along axis \(axis), output has \(output.shape[axis])")
    }
    return ConcatenationKernel(parts: parts, output: output.pointer(as: UInt8.self), outerCount: outerCount)
}
