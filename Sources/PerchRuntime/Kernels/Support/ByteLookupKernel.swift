/// A kernel whose 8-bit output depends only on its 8-bit input (int8 or uint8 either
/// side): the operator's exact integer arithmetic is run once per possible input value
/// at prepare, and `invoke` is a table lookup. Used by LOGISTIC, TANH, HARD_SWISH,
/// RELU, RELU6, RSQRT and 8-bit QUANTIZE.
final class ByteLookupKernel: Kernel {
    let input: UnsafePointer<UInt8>
    let output: UnsafeMutablePointer<UInt8>
    let count: Int
    /// Indexed by the input's raw byte; holds the output's raw byte.
    let table: OwnedBuffer<UInt8>

    init(input: Tensor, output: Tensor, table: OwnedBuffer<UInt8>) {
        self.input = UnsafePointer(input.pointer(as: UInt8.self))
        self.output = output.pointer(as: UInt8.self)
        count = input.elementCount
        self.table = table
    }

    override func invoke() {
        let t = table.base
        for i in 0..<count { output[i] = t[Int(input[i])] }
    }
}

extension PrepareContext {
    /// Builds a byte lookup from `function(quantized input value) -> quantized output value`;
    /// values are Int32 in the tensors' own types (int8 -128...127, uint8 0...255), the
    /// result is clamped to the output type.
    func byteLookup(input: Tensor, output: Tensor, _ function: (Int32) -> Int32) throws(ModelError) -> ByteLookupKernel {
        guard input.type == .int8 || input.type == .uint8 else {
            throw ModelError.unsupportedType("node \(nodeIndex) (\(op.name)): input is \(input.type.name)")
        }
        guard output.type == .int8 || output.type == .uint8, let range = quantizedTypeRange(output.type) else {
            throw ModelError.unsupportedType("node \(nodeIndex) (\(op.name)): output is \(output.type.name)")
        }
        guard input.elementCount == output.elementCount else {
            throw shapeError("input \(shapeDescription(input.shape)) and output \(shapeDescription(output.shape)) differ in size")
        }
        let table = OwnedBuffer<UInt8>(count: 256, initialValue: 0)
        for raw in 0..<256 {
            let value = input.type == .int8 ? Int32(Int8(truncatingIfNeeded: raw)) : Int32(raw)
            let result = min(max(function(value), range.min), range.max)
            table[raw] = UInt8(truncatingIfNeeded: result)
        }
        return ByteLookupKernel(input: input, output: output, table: table)
    }

    /// The single input and output of an elementwise operator, same shape.
    func unaryTensors() throws(ModelError) -> (input: Tensor, output: Tensor) {
        try requireInputCount(1...1)
        let input = try requireInput(0, "input")
        let output = try requireOutput()
        try requireNonNegativeDims(input, "input")
        try requireSameShape(input, output, "input and output shapes differ")
        return (input, output)
    }
}
