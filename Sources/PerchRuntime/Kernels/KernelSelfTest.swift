/// Random-shape checks that a kernel path's fast kernels equal the scalar reference, bit for
/// bit: the GEMM micro-kernel itself, CONV_2D (1×1 in place, strided, padded, dilated, odd
/// depths), DEPTHWISE_CONV_2D (depth multipliers 1, 8, 3), FULLY_CONNECTED (per-channel,
/// weight zero point) and BATCH_MATMUL (constant and variable rhs, adj_x/adj_y). Shapes
/// include sizes that are not multiples of the tile (rows, channels, depth tails), and
/// weights with -128 (the NEON smlal2 pairing's edge case).
///
/// It lives in the runtime, not the test target, so the embedded self-check runs it on
/// aarch64 for every path the CPU has (`perch-selfcheck` under QEMU), and XCTest on the host.
public enum KernelSelfTest {
    /// Mismatch descriptions; empty when every case agrees.
    public static func run(path: KernelPath, seed: UInt64 = 1, cases: Int = 12) -> [String] {
        var failures: [String] = []
        var rng = SelfTestRandom(seed: seed)
        for i in 0..<cases {
            if let f = gemmCase(path, &rng, i) { failures.append(f) }
            if let f = convCase(path, &rng, i) { failures.append(f) }
            if let f = depthwiseCase(path, &rng, i) { failures.append(f) }
            if let f = fullyConnectedCase(path, &rng, i) { failures.append(f) }
            if let f = batchMatMulCase(path, &rng, i) { failures.append(f) }
        }
        return failures
    }

    // MARK: cases

    static func gemmCase(_ path: KernelPath, _ rng: inout SelfTestRandom, _ i: Int) -> String? {
        let m = rng.int(1...19), n = rng.int(1...37), k = i == 0 ? 1 : rng.int(1...80)
        return gemmCheck(path, &rng, m: m, n: n, k: k, allowMinimum: i % 2 == 0)
    }

    /// The GEMM of `path` on random m×k activations and n×k weights, against the scalar sum.
    /// `rightShiftsOnly`: every shift is a right shift and there are no row offsets (the
    /// aarch64 kernels' short output stage), with any int8 zero point; otherwise shifts of
    /// both signs and row offsets.
    static func gemmCheck(_ path: KernelPath, _ rng: inout SelfTestRandom, m: Int, n: Int, k: Int,
                          allowMinimum: Bool, rightShiftsOnly: Bool = false) -> String? {
        let a = rng.int8s(m * k), w = rng.int8s(n * k, allowMinimum: allowMinimum)
        var multipliers = (0..<n).map { _ in Int32(rng.int((1 << 30)...(Int(Int32.max)))) }
        var shifts = (0..<n).map { _ in rightShiftsOnly ? rng.int(-20...(-1)) : rng.int(-20...4) }
        // A channel whose multiplier is 0 (shift 0: QuantizeMultiplier's answer below 2^-31)
        // does not stop the short stage.
        if rightShiftsOnly { multipliers[0] = 0; shifts[0] = 0 }
        let rowOffsets = (0..<m).map { _ in rightShiftsOnly ? 0 : Int32(rng.int(-100_000...100_000)) }
        let zp = Int32(rightShiftsOnly ? rng.int(-128...127) : rng.int(-20...20))
        let lo = Int32(rng.int(-128...0)), hi = Int32(rng.int(0...127))
        let stage = multipliers.withUnsafeBufferPointer { mp in
            shifts.withUnsafeBufferPointer { sp in
                GemmOutputStage(channels: n, multipliers: mp.baseAddress!, shifts: sp.baseAddress!,
                                outputZeroPoint: zp, min: lo, max: hi)
            }
        }
        if stage.rightShiftsOnly != shifts.indices.allSatisfy({ multipliers[$0] == 0 || shifts[$0] < 0 }) {
            return "gemm " + path.name + ": rightShiftsOnly is " + String(stage.rightShiftsOnly) + " for shifts "
                + shifts.map { String($0) }.joined(separator: ",")
        }
        let offsets = (0..<n).map { _ in Int32(rng.int(-50_000...50_000)) }
        for c in 0..<n { stage.offsets[c] = offsets[c] }
        let gemm = w.withUnsafeBufferPointer {
            Gemm(weights: PackedWeights(path: path, n: n, k: k, weights: $0.baseAddress!), stage: stage)
        }
        var out = [Int8](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { ap in
            rowOffsets.withUnsafeBufferPointer { rp in
                out.withUnsafeMutableBufferPointer { op in
                    gemm.run(a: ap.baseAddress!, lda: k, m: m, readable: m * k,
                             rowOffsets: rightShiftsOnly ? nil : rp.baseAddress!, out: op.baseAddress!, ldc: n)
                }
            }
        }
        for r in 0..<m {
            for c in 0..<n {
                var acc: Int32 = rowOffsets[r]
                for kk in 0..<k { acc &+= Int32(a[r * k + kk]) &* Int32(w[c * k + kk]) }
                let expected = stage.requantize(acc, channel: c)
                if out[r * n + c] != expected {
                    return "gemm " + path.name + (rightShiftsOnly ? " (right shifts only)" : "")
                        + " m=" + String(m) + " n=" + String(n) + " k=" + String(k)
                        + ": [" + String(r) + "][" + String(c) + "] = " + String(out[r * n + c]) + ", reference "
                        + String(expected)
                }
            }
        }
        return nil
    }

    static func convCase(_ path: KernelPath, _ rng: inout SelfTestRandom, _ i: Int) -> String? {
        let graph = SelfTestGraph()
        let pointwise = i % 3 == 0
        let kh = pointwise ? 1 : rng.int(1...4), kw = pointwise ? 1 : rng.int(1...4)
        let cin = rng.int(1...21), cout = rng.int(1...35)
        let h = rng.int(1...9), w = rng.int(1...9), batches = rng.int(1...2)
        var o = Conv2DOptions()
        o.padding = rng.int(0...1) == 0 ? .same : .valid
        if pointwise && i % 2 == 0 { o.padding = .valid } else {
            o.strideH = rng.int(1...2); o.strideW = rng.int(1...2)
            o.dilationH = rng.int(1...2); o.dilationW = rng.int(1...2)
        }
        o.activation = [FusedActivation.none, .relu, .relu6][rng.int(0...2)]
        let effH = (kh - 1) * o.dilationH + 1, effW = (kw - 1) * o.dilationW + 1
        guard o.padding == .same || (h >= effH && w >= effW) else { return nil }
        let oh = o.padding == .same ? (h + o.strideH - 1) / o.strideH : (h - effH + o.strideH) / o.strideH
        let ow = o.padding == .same ? (w + o.strideW - 1) / o.strideW : (w - effW + o.strideW) / o.strideW
        let input = graph.add(.int8, [batches, h, w, cin], scales: [0.05], zeroPoint: Int32(rng.int(-20...20)))
        let scales = (0..<cout).map { _ in rng.float(0.002, 0.02) }
        let filter = graph.add(.int8, [cout, kh, kw, cin], scales: i % 4 == 1 ? [0.01] : scales, constant: true)
        let bias = graph.add(.int32, [cout], scales: nil, constant: true)
        let output = graph.add(.int8, [batches, oh, ow, cout], scales: [0.2], zeroPoint: -3)
        graph.fillRandom(&rng, [input, filter], allowMinimum: i % 2 == 1)
        graph.fillBias(&rng, bias, cout)
        return graph.compare("conv2d " + path.name + " " + shapeText([batches, h, w, cin]) + " filter "
                             + shapeText([cout, kh, kw, cin]), path: path, op: .conv2D, options: .conv2D(o),
                             inputs: [input, filter, bias], output: output) { kernel in
            guard let k = kernel as? Conv2DKernel else { return false }
            k.invokeReference()
            return true
        }
    }

    static func depthwiseCase(_ path: KernelPath, _ rng: inout SelfTestRandom, _ i: Int) -> String? {
        let dm = [1, 1, 8, 3, 16][i % 5]
        let cin = dm == 1 ? [8, 16 * rng.int(1...3), rng.int(1...40)][i % 3] : rng.int(1...3)
        // 3×3 windows (the unrolled NEON row kernel) every other case.
        let kh = i % 2 == 0 ? 3 : rng.int(1...4), kw = i % 2 == 0 ? 3 : rng.int(1...4)
        let h = rng.int(1...10), w = rng.int(1...10)
        var o = DepthwiseConv2DOptions()
        o.padding = rng.int(0...1) == 0 ? .same : .valid
        o.strideH = rng.int(1...2); o.strideW = rng.int(1...2)
        o.dilationH = i % 4 == 3 ? 2 : 1; o.dilationW = o.dilationH
        o.depthMultiplier = dm
        o.activation = [FusedActivation.none, .relu, .relu6][rng.int(0...2)]
        return depthwiseCheck(path, &rng, h: h, w: w, cin: cin, kh: kh, kw: kw, options: o,
                              allowMinimum: i % 3 == 2)
    }

    /// One DEPTHWISE_CONV_2D layer of `path` on random data against the reference; with
    /// `rowKernel`, prepare must also have chosen that row kernel (its `name`). Nil too when
    /// a VALID window does not fit the input. The default output scale makes every channel's
    /// multiplier a right shift; a small one (0.0005) gives shifts of both signs.
    static func depthwiseCheck(_ path: KernelPath, _ rng: inout SelfTestRandom, h: Int, w: Int, cin: Int,
                               kh: Int, kw: Int, options o: DepthwiseConv2DOptions, allowMinimum: Bool,
                               rowKernel: String? = nil, outputScale: Float = 0.2) -> String? {
        let graph = SelfTestGraph()
        let cout = cin * o.depthMultiplier
        let effH = (kh - 1) * o.dilationH + 1, effW = (kw - 1) * o.dilationW + 1
        guard o.padding == .same || (h >= effH && w >= effW) else { return nil }
        let oh = o.padding == .same ? (h + o.strideH - 1) / o.strideH : (h - effH + o.strideH) / o.strideH
        let ow = o.padding == .same ? (w + o.strideW - 1) / o.strideW : (w - effW + o.strideW) / o.strideW
        let input = graph.add(.int8, [1, h, w, cin], scales: [0.05], zeroPoint: Int32(rng.int(-20...20)))
        let scales = (0..<cout).map { _ in rng.float(0.002, 0.02) }
        let filter = graph.add(.int8, [1, kh, kw, cout], scales: scales, dimension: 3, constant: true)
        let bias = graph.add(.int32, [cout], scales: nil, constant: true)
        let output = graph.add(.int8, [1, oh, ow, cout], scales: [outputScale], zeroPoint: 5)
        // Symmetric weights (no -128) let two taps share an int16 sum; -128 takes the other path.
        graph.fillRandom(&rng, [input], allowMinimum: true)
        graph.fillRandom(&rng, [filter], allowMinimum: allowMinimum)
        graph.fillBias(&rng, bias, cout)
        let label = "depthwise " + path.name + " " + shapeText([1, h, w, cin]) + " filter "
            + shapeText([1, kh, kw, cout]) + (rowKernel.map { " (row kernel " + $0 + ")" } ?? "")
            + (outputScale == 0.2 ? "" : " output scale " + String(outputScale))
        return graph.compare(label, path: path, op: .depthwiseConv2D,
                             options: .depthwiseConv2D(o), inputs: [input, filter, bias], output: output) { kernel in
            guard let k = kernel as? DepthwiseConv2DKernel else { return false }
            if let rowKernel, k.rowKernelName != rowKernel { return false }
            k.invokeReference()
            return true
        }
    }

    static func fullyConnectedCase(_ path: KernelPath, _ rng: inout SelfTestRandom, _ i: Int) -> String? {
        let graph = SelfTestGraph()
        let batches = rng.int(1...9), depth = rng.int(1...300), units = rng.int(1...40)
        let perChannel = i % 2 == 0
        let input = graph.add(.int8, [batches, depth], scales: [0.07], zeroPoint: Int32(rng.int(-30...30)))
        let filter = perChannel
            ? graph.add(.int8, [units, depth], scales: (0..<units).map { _ in rng.float(0.001, 0.01) }, constant: true)
            : graph.add(.int8, [units, depth], scales: [0.004], zeroPoint: Int32(rng.int(-3...3)), constant: true)
        let bias = graph.add(.int32, [units], scales: nil, constant: true)
        let output = graph.add(.int8, [batches, units], scales: [0.3], zeroPoint: -7)
        graph.fillRandom(&rng, [input, filter], allowMinimum: i % 3 == 0)
        graph.fillBias(&rng, bias, units)
        var o = FullyConnectedOptions()
        o.activation = i % 3 == 1 ? .relu : .none
        return graph.compare("fully_connected " + path.name + " " + shapeText([batches, depth]) + " x "
                             + String(units), path: path, op: .fullyConnected, options: .fullyConnected(o),
                             inputs: [input, filter, bias], output: output) { kernel in
            guard let k = kernel as? FullyConnectedKernel else { return false }
            k.invokeReference()
            return true
        }
    }

    static func batchMatMulCase(_ path: KernelPath, _ rng: inout SelfTestRandom, _ i: Int) -> String? {
        let graph = SelfTestGraph()
        let m = rng.int(1...13), n = rng.int(1...19), k = rng.int(1...40), batch = rng.int(1...3)
        let adjX = i % 4 == 1, adjY = i % 3 == 0
        let lhs = graph.add(.int8, [batch, adjX ? k : m, adjX ? m : k], scales: [0.02], zeroPoint: Int32(rng.int(-5...5)))
        let rhs = graph.add(.int8, [batch, adjY ? n : k, adjY ? k : n], scales: [0.03],
                            zeroPoint: Int32(rng.int(-5...5)), constant: i % 2 == 0)
        let output = graph.add(.int8, [batch, m, n], scales: [0.05], zeroPoint: 2)
        graph.fillRandom(&rng, [lhs, rhs], allowMinimum: true)
        return graph.compare("batch_matmul " + path.name + " " + shapeText([batch, m, k]) + " x "
                             + shapeText([batch, k, n]), path: path, op: .batchMatMul,
                             options: .batchMatMul(adjointX: adjX, adjointY: adjY), inputs: [lhs, rhs],
                             output: output) { kernel in
            guard let kk = kernel as? BatchMatMulKernel else { return false }
            kk.invokeReference()
            return true
        }
    }

    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map { String($0) }.joined(separator: ",") + "]"
    }
}

/// SplitMix64, deterministic across platforms.
struct SelfTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }
    mutating func float(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24) }
    /// Random int8 values; without `allowMinimum` -128 is avoided (symmetric weights).
    mutating func int8s(_ n: Int, allowMinimum: Bool = true) -> [Int8] {
        (0..<n).map { _ in
            let v = Int8(truncatingIfNeeded: next())
            return !allowMinimum && v == -128 ? -127 : v
        }
    }
}

/// Hand-built tensors for one kernel, freed with the graph.
final class SelfTestGraph {
    var tensors: [Tensor] = []
    var buffers: [UnsafeMutableRawPointer] = []

    deinit { for b in buffers { b.deallocate() } }

    func add(_ type: ElementType, _ shape: [Int], scales: [Float]?, zeroPoint: Int32 = 0, dimension: Int = 0,
             constant: Bool = false) -> Int {
        let bytes = max(1, shape.reduce(1, *) * (type.byteSize ?? 1))
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        buffers.append(p)
        let q = scales.map {
            Quantization(scales: $0, zeroPoints: [Int32](repeating: $0.count == 1 ? zeroPoint : 0, count: $0.count),
                         dimension: dimension)
        }
        tensors.append(Tensor(name: "t" + String(tensors.count), type: type, shape: shape, quantization: q,
                              isConstant: constant, data: p))
        return tensors.count - 1
    }

    func fillRandom(_ rng: inout SelfTestRandom, _ indices: [Int], allowMinimum: Bool) {
        for t in indices {
            let values = rng.int8s(tensors[t].elementCount, allowMinimum: allowMinimum)
            let p = tensors[t].data.assumingMemoryBound(to: Int8.self)
            for (i, v) in values.enumerated() { p[i] = v }
        }
    }

    func fillBias(_ rng: inout SelfTestRandom, _ t: Int, _ count: Int) {
        let p = tensors[t].data.assumingMemoryBound(to: Int32.self)
        for i in 0..<count { p[i] = Int32(rng.int(-3000...3000)) }
    }

    /// Prepares the operator for `path`, runs the fast kernel, then the reference (through
    /// `reference`), and describes the first difference.
    func compare(_ label: String, path: KernelPath, op: BuiltinOperator, options: OperatorOptions, inputs: [Int],
                 output: Int, reference: (Kernel) -> Bool) -> String? {
        var context = PrepareContext(nodeIndex: 0, op: op, options: options, inputIndices: inputs,
                                     outputIndices: [output], tensors: tensors)
        context.kernelPath = path
        let kernel: Kernel
        do throws(ModelError) { kernel = try makeKernel(context) } catch {
            return label + ": prepare failed: " + error.description
        }
        let count = tensors[output].elementCount
        let out = tensors[output].data.assumingMemoryBound(to: Int8.self)
        kernel.invoke()
        let fast = (0..<count).map { out[$0] }
        out.update(repeating: 0, count: count)
        guard reference(kernel) else { return label + ": not the expected kernel" }
        for i in 0..<count where fast[i] != out[i] {
            return label + ": element " + String(i) + " is " + String(fast[i]) + ", reference " + String(out[i])
        }
        return nil
    }
}
