/// DEQUANTIZE, int8/uint8 → float32, as TFLite's `reference_ops::Dequantize`:
/// `float(double(scale) · (x - zp))`, one table entry per input byte.
final class DequantizeKernel: Kernel {
    let input: UnsafePointer<UInt8>
    let output: UnsafeMutablePointer<Float>
    let count: Int
    let table: OwnedBuffer<Float>

    init(input: UnsafePointer<UInt8>, output: UnsafeMutablePointer<Float>, count: Int, table: OwnedBuffer<Float>) {
        self.input = input
        self.output = output
        self.count = count
        self.table = table
    }

    override func invoke() {
        let t = table.base
        for i in 0..<count { output[i] = t[Int(input[i])] }
    }
}

func prepareDequantize(_ context: PrepareContext) throws(ModelError) -> DequantizeKernel {
    let (input, output) = try context.unaryTensors()
    try context.requireType(input, "input", .int8, .uint8)
    try context.requireType(output, "output", .float32)
    let (scale, zeroPoint) = try context.perTensorQuantization(input, "input")
    let table = OwnedBuffer<Float>(count: 256, initialValue: 0)
    for raw in 0..<256 {
        let value = input.type == .int8 ? Int32(Int8(truncatingIfNeeded: raw)) : Int32(raw)
        table[raw] = Float(Double(scale) * Double(value - zeroPoint))
    }
    return DequantizeKernel(input: UnsafePointer(input.pointer(as: UInt8.self)), output: output.pointer(as: Float.self),
                            count: input.elementCount, table: table)
}
