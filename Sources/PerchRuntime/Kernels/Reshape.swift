/// RESHAPE and SQUEEZE: the bytes are unchanged, only the shape the file gives the
/// output differs, so the kernel copies (nothing when the planner aliased the buffers).
final class CopyKernel: Kernel {
    let source: UnsafeRawPointer
    let destination: UnsafeMutableRawPointer
    let byteCount: Int

    init(source: UnsafeRawPointer, destination: UnsafeMutableRawPointer, byteCount: Int) {
        self.source = source
        self.destination = destination
        self.byteCount = byteCount
    }

    override func invoke() {
        if UnsafeRawPointer(destination) != source {
            destination.copyMemory(from: source, byteCount: byteCount)
        }
    }
}

/// Shared checks: same element type and count; the shape input of RESHAPE (or its
/// option) must agree with the output's shape when it is known.
func prepareReshapeLike(_ context: PrepareContext) throws(ModelError) -> CopyKernel {
    try context.requireInputCount(1...2)
    let input = try context.requireInput(0, "input")
    let output = try context.requireOutput()
    try context.requireNonNegativeDims(input, "input")
    try context.requireNonNegativeDims(output, "output")
    guard input.type == output.type, input.type.byteSize != nil else {
        throw ModelError.unsupportedType("node \(context.nodeIndex) (\(context.op.name)): \(input.type.name) to \(output.type.name)")
    }
    guard input.elementCount == output.elementCount else {
        throw context.shapeError("cannot reshape \(shapeDescription(input.shape)) to \(shapeDescription(output.shape))")
    }
    return CopyKernel(source: UnsafeRawPointer(input.data), destination: output.data, byteCount: input.byteCount)
}

func prepareReshape(_ context: PrepareContext) throws(ModelError) -> CopyKernel {
    try prepareReshapeLike(context)
}

func prepareSqueeze(_ context: PrepareContext) throws(ModelError) -> CopyKernel {
    let kernel = try prepareReshapeLike(context)
    if case .squeeze(let dims) = context.options, let input = context.input(0) {
        let rank = input.shape.count
        for d in dims {
            let axis = d < 0 ? d + rank : d
            guard axis >= 0 && axis < rank && input.shape[axis] == 1 else {
                throw context.fail("squeeze dimension \(d) is not a size-1 dimension of \(shapeDescription(input.shape))")
            }
        }
    }
    return kernel
}
