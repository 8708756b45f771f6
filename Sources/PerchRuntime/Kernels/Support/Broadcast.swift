/// NumPy-style broadcasting of two inputs to an output of up to 6 dimensions, the index
/// mapping of TFLite's `BroadcastBinaryOpSimple` (the element function does not depend
/// on how the indices are walked, so only the mapping must agree).
struct BroadcastPlan {
    static let maxRank = 6
    /// Output dims left-padded with 1 to `maxRank`.
    var dims = [Int](repeating: 1, count: BroadcastPlan.maxRank)
    /// Element strides of each input per output dim (0 where that input broadcasts).
    var strides1 = [Int](repeating: 0, count: BroadcastPlan.maxRank)
    var strides2 = [Int](repeating: 0, count: BroadcastPlan.maxRank)
    /// True when both inputs have the output's shape: a flat loop suffices.
    var isElementwise = false
    var count = 0

    /// nil when the shapes do not broadcast to `output`.
    init?(_ shape1: [Int], _ shape2: [Int], output: [Int]) {
        let rank = output.count
        guard rank <= BroadcastPlan.maxRank, shape1.count <= rank, shape2.count <= rank else { return nil }
        isElementwise = shape1 == output && shape2 == output
        func padded(_ s: [Int]) -> [Int] { [Int](repeating: 1, count: BroadcastPlan.maxRank - s.count) + s }
        let p1 = padded(shape1), p2 = padded(shape2), po = padded(output)
        var stride1 = 1, stride2 = 1
        for i in stride(from: BroadcastPlan.maxRank - 1, through: 0, by: -1) {
            let d1 = p1[i], d2 = p2[i], d = po[i]
            guard d >= 0, d1 == d || d1 == 1, d2 == d || d2 == 1 else { return nil }
            // The output dim must be the broadcast of the two (not larger than both).
            guard d == max(d1, d2) || (d == 0 && (d1 == 0 || d2 == 0)) else { return nil }
            dims[i] = d
            strides1[i] = d1 == 1 ? 0 : stride1
            strides2[i] = d2 == 1 ? 0 : stride2
            stride1 &*= d1
            stride2 &*= d2
        }
        count = product(po[...])
    }

    /// Calls `body(outputIndex, input1Index, input2Index, count, step1, step2)` for every run
    /// of the innermost dimension in order: `count` output elements from `outputIndex`, the
    /// inputs' indices advancing by `step1`/`step2` (1, or 0 where that input broadcasts).
    /// Elementwise inputs are one run.
    @inline(__always)
    func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        if isElementwise {
            body(0, 0, 0, count, 1, 1)
            return
        }
        if count == 0 { return }
        let inner = dims[5], step1 = strides1[5], step2 = strides2[5]
        var o = 0
        var a0 = 0, b0 = 0
        for _ in 0..<dims[0] {
            var a1 = a0, b1 = b0
            for _ in 0..<dims[1] {
                var a2 = a1, b2 = b1
                for _ in 0..<dims[2] {
                    var a3 = a2, b3 = b2
                    for _ in 0..<dims[3] {
                        var a4 = a3, b4 = b3
                        for _ in 0..<dims[4] {
                            body(o, a4, b4, inner, step1, step2)
                            o &+= inner
                            a4 &+= strides1[4]; b4 &+= strides2[4]
                        }
                        a3 &+= strides1[3]; b3 &+= strides2[3]
                    }
                    a2 &+= strides1[2]; b2 &+= strides2[2]
                }
                a1 &+= strides1[1]; b1 &+= strides2[1]
            }
            a0 &+= strides1[0]; b0 &+= strides2[0]
        }
    }

    /// Calls `body(outputIndex, input1Index, input2Index)` for every output element in order.
    @inline(__always)
    func forEach(_ body: (Int, Int, Int) -> Void) {
        if isElementwise {
            for i in 0..<count { body(i, i, i) }
            return
        }
        if count == 0 { return }
        var o = 0
        var a0 = 0, b0 = 0
        for i0 in 0..<dims[0] {
            _ = i0
            var a1 = a0, b1 = b0
            for _ in 0..<dims[1] {
                var a2 = a1, b2 = b1
                for _ in 0..<dims[2] {
                    var a3 = a2, b3 = b2
                    for _ in 0..<dims[3] {
                        var a4 = a3, b4 = b3
                        for _ in 0..<dims[4] {
                            var a5 = a4, b5 = b4
                            for _ in 0..<dims[5] {
                                body(o, a5, b5)
                                o &+= 1
                                a5 &+= strides1[5]; b5 &+= strides2[5]
                            }
                            a4 &+= strides1[4]; b4 &+= strides2[4]
                        }
                        a3 &+= strides1[3]; b3 &+= strides2[3]
                    }
                    a2 &+= strides1[2]; b2 &+= strides2[2]
                }
                a1 &+= strides1[1]; b1 &+= strides2[1]
            }
            a0 &+= strides1[0]; b0 &+= strides2[0]
        }
    }
}

/// Prepare shared by ADD, SUB and MUL: two int8 inputs broadcasting to the int8 output.
struct PreparedBinary {
    var input1: UnsafePointer<Int8>
    var input2: UnsafePointer<Int8>
    var output: UnsafeMutablePointer<Int8>
    var plan: BroadcastPlan
    var scale1: Float, zeroPoint1: Int32
    var scale2: Float, zeroPoint2: Int32
    var outputScale: Float, outputZeroPoint: Int32
    var activation: ActivationRange
}

func prepareBinary(_ context: PrepareContext) throws(ModelError) -> PreparedBinary {
    var activation = FusedActivation.none
    if case .arithmetic(let a) = context.options { activation = a }
    try context.requireInputCount(2...2)
    let a = try context.requireInput(0, "input1")
    let b = try context.requireInput(1, "input2")
    let output = try context.requireOutput()
    try context.requireType(a, "input1", .int8)
    try context.requireType(b, "input2", .int8)
    try context.requireType(output, "output", .int8)
    guard let plan = BroadcastPlan(a.shape, b.shape, output: output.shape) else {
        throw context.shapeError("inputs \(shapeDescription(a.shape)) and \(shapeDescription(b.shape)) do not broadcast to output \(shapeDescription(output.shape)) (at most 6-D)")
    }
    let (s1, z1) = try context.perTensorQuantization(a, "input1")
    let (s2, z2) = try context.perTensorQuantization(b, "input2")
    let (so, zo) = try context.perTensorQuantization(output, "output")
    let range = try context.activationRange(activation, output: output, scale: so, zeroPoint: zo)
    return PreparedBinary(input1: UnsafePointer(a.pointer(as: Int8.self)), input2: UnsafePointer(b.pointer(as: Int8.self)),
                          output: output.pointer(as: Int8.self), plan: plan, scale1: s1, zeroPoint1: z1,
                          scale2: s2, zeroPoint2: z2, outputScale: so, outputZeroPoint: zo, activation: range)
}
