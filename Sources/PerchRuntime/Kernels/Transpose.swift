/// TRANSPOSE of 1-D to 5-D tensors of 1, 2 or 4-byte elements (int8, uint8, int16,
/// int32, float32), the permutation from a constant int32 input (as TFLite Micro
/// requires). Pure data movement; quantization passes through unchanged.
final class TransposeKernel<Element>: Kernel {
    let input: UnsafePointer<Element>
    let output: UnsafeMutablePointer<Element>
    /// Output dims left-padded to 5, and for each the stride of the input dim it reads.
    let dims: [Int]
    let inputStrides: [Int]

    init(input: UnsafePointer<Element>, output: UnsafeMutablePointer<Element>, dims: [Int], inputStrides: [Int]) {
        self.input = input
        self.output = output
        self.dims = dims
        self.inputStrides = inputStrides
    }

    override func invoke() {
        let d = dims, s = inputStrides
        var out = output
        if s[4] == 1 {
            // The innermost output dim is contiguous in the input too: copy whole runs.
            let runBytes = d[4] &* MemoryLayout<Element>.stride
            let src = UnsafeRawPointer(input)
            for i0 in 0..<d[0] {
                let p0 = i0 &* s[0]
                for i1 in 0..<d[1] {
                    let p1 = p0 &+ i1 &* s[1]
                    for i2 in 0..<d[2] {
                        let p2 = p1 &+ i2 &* s[2]
                        for i3 in 0..<d[3] {
                            let from = src + (p2 &+ i3 &* s[3]) &* MemoryLayout<Element>.stride
                            copyBytes(UnsafeMutableRawPointer(out).assumingMemoryBound(to: Int8.self),
                                      from.assumingMemoryBound(to: Int8.self), runBytes)
                            out += d[4]
                        }
                    }
                }
            }
            return
        }
        for i0 in 0..<d[0] {
            let p0 = i0 &* s[0]
            for i1 in 0..<d[1] {
                let p1 = p0 &+ i1 &* s[1]
                for i2 in 0..<d[2] {
                    let p2 = p1 &+ i2 &* s[2]
                    for i3 in 0..<d[3] {
                        var p = p2 &+ i3 &* s[3]
                        for _ in 0..<d[4] {
                            out.pointee = input[p]
                            out += 1
                            p &+= s[4]
                        }
                    }
                }
            }
        }
    }
}

func prepareTranspose(_ context: PrepareContext) throws(ModelError) -> Kernel {
    try context.requireInputCount(2...2)
    let input = try context.requireInput(0, "input")
    let permTensor = try context.requireInput(1, "perm")
    let output = try context.requireOutput()
    try context.requireNonNegativeDims(input, "input")
    guard input.type == output.type else {
        throw ModelError.unsupportedType("node \(context.nodeIndex) (TRANSPOSE): input is \(input.type.name) but output is \(output.type.name)")
    }
    let rank = input.shape.count
    guard rank >= 1 && rank <= 5 else { throw context.shapeError("only 1-D to 5-D tensors can be transposed, got rank \(rank)") }
    let perm = try context.constantInt32Values(permTensor, "perm")
    guard perm.count == rank else { throw context.shapeError("perm has \(perm.count) entries for rank \(rank)") }
    var seen = [Bool](repeating: false, count: rank)
    for p in perm {
        guard p >= 0 && p < rank && !seen[p] else { throw context.fail("perm entry \(p) is out of bounds or repeated") }
        seen[p] = true
    }
    var inStrides = [Int](repeating: 1, count: rank)
    for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * input.shape[i + 1] }
    var expected: [Int] = []
    for p in perm { expected.append(input.shape[p]) }
    guard output.shape == expected else {
        throw context.shapeError("output is \(shapeDescription(output.shape)), expected \(shapeDescription(expected))")
    }
    var dims = [Int](repeating: 1, count: 5)
    var strides = [Int](repeating: 0, count: 5)
    for i in 0..<rank {
        dims[5 - rank + i] = expected[i]
        strides[5 - rank + i] = inStrides[perm[i]]
    }
    switch input.type.byteSize {
    case 1:
        return TransposeKernel<UInt8>(input: UnsafePointer(input.pointer(as: UInt8.self)),
                                      output: output.pointer(as: UInt8.self), dims: dims, inputStrides: strides)
    case 2:
        return TransposeKernel<UInt16>(input: UnsafePointer(input.pointer(as: UInt16.self)),
                                       output: output.pointer(as: UInt16.self), dims: dims, inputStrides: strides)
    case 4:
        return TransposeKernel<UInt32>(input: UnsafePointer(input.pointer(as: UInt32.self)),
                                       output: output.pointer(as: UInt32.self), dims: dims, inputStrides: strides)
    default:
        throw ModelError.unsupportedType("node \(context.nodeIndex) (TRANSPOSE): \(input.type.name) elements")
    }
}
