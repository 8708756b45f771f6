/// STRIDED_SLICE up to 5-D with begin/end/shrink-axis masks, `offset`, and negative
/// strides, any 1/2/4-byte element type; begin, end and strides from constant int32
/// inputs. Index resolution follows TFLite's strided_slice_logic.h
/// (`StridedSliceStartForAxis` / `StridedSliceEndForAxis` after padding to 5-D). The
/// ellipsis and new-axis masks are rejected, as TFLite Micro does not resolve them either.
final class StridedSliceKernel<Element>: Kernel {
    let input: UnsafePointer<Element>
    let output: UnsafeMutablePointer<Element>
    let start: [Int], stop: [Int], step: [Int]
    /// Input element strides of the 5 padded dims.
    let inputStrides: [Int]

    init(input: UnsafePointer<Element>, output: UnsafeMutablePointer<Element>, start: [Int], stop: [Int],
         step: [Int], inputStrides: [Int]) {
        self.input = input
        self.output = output
        self.start = start
        self.stop = stop
        self.step = step
        self.inputStrides = inputStrides
    }

    @inline(__always)
    private func inRange(_ i: Int, _ axis: Int) -> Bool {
        step[axis] > 0 ? i < stop[axis] : i > stop[axis]
    }

    override func invoke() {
        var out = output
        let s = inputStrides
        var i0 = start[0]
        while inRange(i0, 0) {
            var i1 = start[1]
            while inRange(i1, 1) {
                var i2 = start[2]
                while inRange(i2, 2) {
                    var i3 = start[3]
                    while inRange(i3, 3) {
                        let base = i0 &* s[0] &+ i1 &* s[1] &+ i2 &* s[2] &+ i3 &* s[3]
                        var i4 = start[4]
                        while inRange(i4, 4) {
                            out.pointee = input[base &+ i4]
                            out += 1
                            i4 &+= step[4]
                        }
                        i3 &+= step[3]
                    }
                    i2 &+= step[2]
                }
                i1 &+= step[1]
            }
            i0 &+= step[0]
        }
    }
}

func prepareStridedSlice(_ context: PrepareContext) throws(ModelError) -> Kernel {
    var options = StridedSliceOptions()
    if case .stridedSlice(let o) = context.options { options = o }
    try context.requireInputCount(4...4)
    let input = try context.requireInput(0, "input")
    let output = try context.requireOutput()
    try context.requireNonNegativeDims(input, "input")
    guard input.type == output.type else {
        throw ModelError.unsupportedType("node \(context.nodeIndex) (STRIDED_SLICE): \(input.type.name) to \(output.type.name)")
    }
    guard options.ellipsisMask == 0 && options.newAxisMask == 0 else {
        throw context.fail("ellipsis and new-axis masks are not supported")
    }
    let begin = try context.constantInt32Values(try context.requireInput(1, "begin"), "begin")
    let end = try context.constantInt32Values(try context.requireInput(2, "end"), "end")
    let strides = try context.constantInt32Values(try context.requireInput(3, "strides"), "strides")
    let rank = input.shape.count
    let n = begin.count
    guard rank <= 5, n <= rank, end.count == n, strides.count == n else {
        throw context.shapeError("begin/end/strides of \(n), \(end.count), \(strides.count) for rank \(rank) (at most 5)")
    }
    for s in strides where s == 0 { throw context.fail("stride 0") }

    // StridedSlicePadIndices to the input rank, then ExtendedShape/pad to 5.
    let pad = 5 - n
    var starts = [Int](repeating: 0, count: 5), stops = [Int](repeating: 1, count: 5), steps = [Int](repeating: 1, count: 5)
    for i in 0..<n { starts[pad + i] = begin[i]; stops[pad + i] = end[i]; steps[pad + i] = strides[i] }
    let low = (1 << pad) - 1
    let beginMask = (Int(options.beginMask) << pad) | low
    let endMask = (Int(options.endMask) << pad) | low
    let shrinkMask = Int(options.shrinkAxisMask) << pad
    let dims = [Int](repeating: 1, count: 5 - rank) + input.shape

    var outStart = [Int](repeating: 0, count: 5), outStop = [Int](repeating: 0, count: 5)
    var kept: [Int] = []
    var count = 1
    for axis in 0..<5 {
        let size = dims[axis], stride = steps[axis]
        func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { hi < v ? hi : (v < lo ? lo : v) }
        var s = starts[axis]
        if s < 0 { s += size }
        s = stride > 0 ? clamp(s, 0, size) : clamp(s, -1, size - 1)
        if beginMask & (1 << axis) != 0 { s = stride > 0 ? 0 : size - 1 }
        var e: Int
        let shrink = shrinkMask & (1 << axis) != 0
        if shrink {
            e = s >= size ? s : s + 1
        } else {
            e = stops[axis]
            if options.offset { e += s }
            if e < 0 { e += size }
            e = stride > 0 ? clamp(e, 0, size) : clamp(e, -1, size - 1)
            if endMask & (1 << axis) != 0 { e = stride > 0 ? size : -1 }
        }
        outStart[axis] = s
        outStop[axis] = e
        let extent = stride > 0 ? (e > s ? (e - s + stride - 1) / stride : 0) : (s > e ? (s - e - stride - 1) / -stride : 0)
        if shrink && extent != 1 { throw context.fail("shrunk axis \(axis - (5 - rank)) selects \(extent) elements") }
        count *= extent
        if !shrink && axis >= 5 - rank { kept.append(extent) }
    }
    guard output.elementCount == count else {
        throw context.shapeError("output \(shapeDescription(output.shape)) does not hold the \(count) sliced elements")
    }
    var inStrides = [Int](repeating: 1, count: 5)
    for i in stride(from: 3, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * dims[i + 1] }
    switch input.type.byteSize {
    case 1:
        return StridedSliceKernel<UInt8>(input: UnsafePointer(input.pointer(as: UInt8.self)), output: output.pointer(as: UInt8.self),
                                         start: outStart, stop: outStop, step: steps, inputStrides: inStrides)
    case 2:
        return StridedSliceKernel<UInt16>(input: UnsafePointer(input.pointer(as: UInt16.self)), output: output.pointer(as: UInt16.self),
                                          start: outStart, stop: outStop, step: steps, inputStrides: inStrides)
    case 4:
        return StridedSliceKernel<UInt32>(input: UnsafePointer(input.pointer(as: UInt32.self)), output: output.pointer(as: UInt32.self),
                                          start: outStart, stop: outStop, step: steps, inputStrides: inStrides)
    default:
        throw ModelError.unsupportedType("node \(context.nodeIndex) (STRIDED_SLICE): \(input.type.name)")
    }
}
