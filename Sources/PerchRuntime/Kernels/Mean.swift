/// MEAN, int8, axes from a constant int32 input, keep_dims either way, as TFLite Micro's
/// int8 path (`reference_ops::QuantizedMeanOrSum`, used for every axis set including
/// H,W of 4-D tensors since TFLM aligned MEAN with TFLite): int32 sums of the raw
/// values, `sum - zp_in · n`, then `QuantizeMultiplier(s_in / s_out)` with the 1/n folded
/// into the multiplier (`(m << k) / n` with k = min(floor(log2 n), 32, 31 + shift)).
final class MeanKernel: Kernel {
    let input: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    /// Input dims left-padded to 6 and, per dim, the output stride (0 on reduced axes).
    let dims: [Int]
    let outputStrides: [Int]
    let inputCount: Int
    let outputCount: Int
    let sums: OwnedBuffer<Int32>
    let zeroPointTimesCount: Int32
    let multiplier: Int32
    let shift: Int
    let outputZeroPoint: Int32
    let requantizer: VectorRequantizer

    init(input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>, dims: [Int], outputStrides: [Int],
         inputCount: Int, outputCount: Int, zeroPointTimesCount: Int32, multiplier: Int32, shift: Int,
         outputZeroPoint: Int32) {
        self.input = input
        self.output = output
        self.dims = dims
        self.outputStrides = outputStrides
        self.inputCount = inputCount
        self.outputCount = outputCount
        sums = OwnedBuffer(count: outputCount, initialValue: 0)
        self.zeroPointTimesCount = zeroPointTimesCount
        self.multiplier = multiplier
        self.shift = shift
        self.outputZeroPoint = outputZeroPoint
        requantizer = VectorRequantizer(multiplier: multiplier, shift: shift)
    }

    override func invoke() {
        let acc = sums.base
        for i in 0..<outputCount { acc[i] = 0 }
        if inputCount > 0 {
            var x = input
            let s = outputStrides
            var o0 = 0
            for _ in 0..<dims[0] {
                var o1 = o0
                for _ in 0..<dims[1] {
                    var o2 = o1
                    for _ in 0..<dims[2] {
                        var o3 = o2
                        for _ in 0..<dims[3] {
                            var o4 = o3
                            for _ in 0..<dims[4] {
                                accumulateRun(x, dims[5], into: acc + o4, step: s[5])
                                x += dims[5]
                                o4 &+= s[4]
                            }
                            o3 &+= s[3]
                        }
                        o2 &+= s[2]
                    }
                    o1 &+= s[1]
                }
                o0 &+= s[0]
            }
        }
        var i = 0
        if requantizer.exact {
            let offset = SIMD8<Int32>(repeating: zeroPointTimesCount), zp = SIMD8<Int32>(repeating: outputZeroPoint)
            let lo = SIMD8<Int32>(repeating: -128), hi = SIMD8<Int32>(repeating: 127)
            while i &+ 8 <= outputCount {
                storeClamped8(requantizer.apply(loadInt32x8(acc + i) &- offset) &+ zp, lo, hi, output + i)
                i &+= 8
            }
        }
        while i < outputCount {
            defer { i &+= 1 }
            let shifted = acc[i] &- zeroPointTimesCount
            let value = multiplyByQuantizedMultiplier(shifted, multiplier, shift) &+ outputZeroPoint
            output[i] = clampToInt8(value, -128, 127)
        }
    }
}

/// Adds one innermost run of `count` inputs to the sums: all into `sums[0]` when the innermost
/// axis is reduced (`step` 0), else element by element (`step` 1), 8 or 16 at a time.
@inline(__always)
private func accumulateRun(_ x: UnsafePointer<Int8>, _ count: Int, into sums: UnsafeMutablePointer<Int32>, step: Int) {
    if step == 0 {
        sums[0] &+= sumInt8(x, count)
        return
    }
    var k = 0
    while k &+ 8 <= count {
        let p = UnsafeMutableRawPointer(sums + k)
        p.storeBytes(of: p.loadUnaligned(as: SIMD8<Int32>.self) &+ widenToInt32(loadInt8x8(x + k)), as: SIMD8<Int32>.self)
        k &+= 8
    }
    while k < count {
        sums[k] &+= Int32(x[k])
        k &+= 1
    }
}

func prepareMean(_ context: PrepareContext) throws(ModelError) -> MeanKernel {
    try context.requireInputCount(2...2)
    let input = try context.requireInput(0, "input")
    let axisTensor = try context.requireInput(1, "axis")
    let output = try context.requireOutput()
    try context.requireType(input, "input", .int8)
    try context.requireType(output, "output", .int8)
    try context.requireNonNegativeDims(input, "input")
    let rank = input.shape.count
    guard rank <= 6 else { throw context.shapeError("input rank \(rank) exceeds 6") }
    let axes = try context.constantInt32Values(axisTensor, "axis")

    // ResolveAxis: negative axes count from the end; duplicates are ignored.
    var reduced = [Bool](repeating: false, count: rank)
    for a in axes {
        let axis = a < 0 ? a + rank : a
        guard axis >= 0 && axis < rank else { throw context.fail("axis \(a) is out of range for rank \(rank)") }
        reduced[axis] = true
    }
    var keptCount = 1, reducedCount = 1
    for i in 0..<rank { if reduced[i] { reducedCount *= input.shape[i] } else { keptCount *= input.shape[i] } }
    guard output.elementCount == keptCount else {
        throw context.shapeError("output \(shapeDescription(output.shape)) does not hold the \(keptCount) means")
    }

    // Output strides of the kept dims, in the input's order (ReducedOutputOffset).
    var dims = [Int](repeating: 1, count: 6)
    var strides = [Int](repeating: 0, count: 6)
    var running = 1
    for i in stride(from: rank - 1, through: 0, by: -1) {
        dims[6 - rank + i] = input.shape[i]
        if !reduced[i] {
            strides[6 - rank + i] = running
            running *= input.shape[i]
        }
    }

    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    let base = QuantizedMultiplier(Double(inputScale) / Double(outputScale))
    var multiplier = base.multiplier
    var shift = base.shift
    if reducedCount > 0 {
        // QuantizedMeanOrSum folds 1/n into the multiplier.
        var k = 63 - UInt64(reducedCount).leadingZeroBitCount
        k = min(k, 32)
        k = min(k, 31 + shift)
        if k >= 0 {
            multiplier = Int32(truncatingIfNeeded: (Int64(multiplier) << Int64(k)) / Int64(reducedCount))
            shift -= k
        }
    }
    return MeanKernel(input: UnsafePointer(input.pointer(as: Int8.self)), output: output.pointer(as: Int8.self),
                      dims: dims, outputStrides: strides, inputCount: input.elementCount, outputCount: keptCount,
                      zeroPointTimesCount: inputZeroPoint &* Int32(truncatingIfNeeded: reducedCount),
                      multiplier: multiplier, shift: shift, outputZeroPoint: outputZeroPoint)
}
