/// PAD (and PADV2's optional constant), up to 5-D, 1/2/4-byte elements; the constant is
/// the output zero point for quantized tensors (as TFLite Micro), 0 otherwise, or the
/// third input when given. Paddings come from a constant int32 [rank, 2] input.
final class PadKernel<Element>: Kernel {
    let input: UnsafePointer<Element>
    let output: UnsafeMutablePointer<Element>
    /// Input and output dims left-padded to 5, and the leading padding per dim.
    let inDims: [Int]
    let outDims: [Int]
    let before: [Int]
    let padValue: Element

    init(input: UnsafePointer<Element>, output: UnsafeMutablePointer<Element>, inDims: [Int], outDims: [Int],
         before: [Int], padValue: Element) {
        self.input = input
        self.output = output
        self.inDims = inDims
        self.outDims = outDims
        self.before = before
        self.padValue = padValue
    }

    override func invoke() {
        let total = outDims[0] * outDims[1] * outDims[2] * outDims[3] * outDims[4]
        output.update(repeating: padValue, count: total)
        let d = inDims, o = outDims, b = before
        var src = input
        for i0 in 0..<d[0] {
            for i1 in 0..<d[1] {
                for i2 in 0..<d[2] {
                    for i3 in 0..<d[3] {
                        let row = (((((i0 &+ b[0]) &* o[1] &+ i1 &+ b[1]) &* o[2] &+ i2 &+ b[2]) &* o[3]
                                    &+ i3 &+ b[3]) &* o[4]) &+ b[4]
                        (output + row).update(from: src, count: d[4])
                        src += d[4]
                    }
                }
            }
        }
    }
}

func preparePad(_ context: PrepareContext) throws(ModelError) -> Kernel {
    try context.requireInputCount(2...3)
    let input = try context.requireInput(0, "input")
    let paddingsTensor = try context.requireInput(1, "paddings")
    let output = try context.requireOutput()
    try context.requireNonNegativeDims(input, "input")
    guard input.type == output.type else {
        throw ModelError.unsupportedType("node \(context.nodeIndex) (PAD): \(input.type.name) to \(output.type.name)")
    }
    let rank = input.shape.count
    guard rank <= 5 else { throw context.shapeError("PAD supports up to 5 dimensions, got \(rank)") }
    let paddings = try context.constantInt32Values(paddingsTensor, "paddings")
    guard paddings.count == 2 * rank else { throw context.shapeError("paddings hold \(paddings.count) values for rank \(rank)") }
    var inDims = [Int](repeating: 1, count: 5), outDims = [Int](repeating: 1, count: 5), before = [Int](repeating: 0, count: 5)
    var expected: [Int] = []
    for i in 0..<rank {
        let l = paddings[2 * i], r = paddings[2 * i + 1]
        guard l >= 0 && r >= 0 else { throw context.fail("negative padding \(l), \(r) on dimension \(i)") }
        inDims[5 - rank + i] = input.shape[i]
        outDims[5 - rank + i] = input.shape[i] + l + r
        before[5 - rank + i] = l
        expected.append(input.shape[i] + l + r)
    }
    guard output.shape == expected else {
        throw context.shapeError("output is \(shapeDescription(output.shape)), expected \(shapeDescription(expected))")
    }
    let constant = context.input(2)
    switch input.type {
    case .int8, .uint8:
        var pad = UInt8(truncatingIfNeeded: output.quantization?.zeroPoint ?? 0)
        if let constant {
            guard constant.type == input.type, constant.elementCount == 1 else { throw context.fail("constant value must be one \(input.type.name)") }
            pad = constant.pointer(as: UInt8.self).pointee
        }
        return PadKernel<UInt8>(input: UnsafePointer(input.pointer(as: UInt8.self)), output: output.pointer(as: UInt8.self),
                                inDims: inDims, outDims: outDims, before: before, padValue: pad)
    case .int16:
        var pad = Int16(truncatingIfNeeded: output.quantization?.zeroPoint ?? 0)
        if let constant, constant.type == .int16, constant.elementCount == 1 { pad = constant.pointer(as: Int16.self).pointee }
        return PadKernel<Int16>(input: UnsafePointer(input.pointer(as: Int16.self)), output: output.pointer(as: Int16.self),
                                inDims: inDims, outDims: outDims, before: before, padValue: pad)
    case .float32, .int32:
        var pad: UInt32 = 0
        if let constant, constant.type == input.type, constant.elementCount == 1 { pad = constant.pointer(as: UInt32.self).pointee }
        return PadKernel<UInt32>(input: UnsafePointer(input.pointer(as: UInt32.self)), output: output.pointer(as: UInt32.self),
                                 inDims: inDims, outDims: outDims, before: before, padValue: pad)
    default:
        throw ModelError.unsupportedType("node \(context.nodeIndex) (PAD): \(input.type.name)")
    }
}
