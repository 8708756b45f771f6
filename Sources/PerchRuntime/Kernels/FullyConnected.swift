/// FULLY_CONNECTED, int8 input/weights/output with per-tensor weights (zero point
/// honoured) or per-channel weights, optional int32 bias, keep_num_dims (any output
/// shape whose last dimension is the unit count), fused activation. Bit-exact with TFLite
/// Micro's `reference_integer_ops::FullyConnected` / `FullyConnectedPerChannel`.
///
/// Fast path: Σ(f + fo)(x + xo) = Σ f·x + xo·Σf + fo·Σx + K·fo·xo. The first term is a
/// pure int8 dot product (4 units at a time), xo·Σf + K·fo·xo is precomputed per unit,
/// fo·Σx once per row. All int32 arithmetic wraps, as the reference's does.
final class FullyConnectedKernel: Kernel {
    let input: UnsafePointer<Int8>
    let filter: UnsafePointer<Int8>
    let bias: UnsafePointer<Int32>?
    let output: UnsafeMutablePointer<Int8>
    let batches: Int
    let units: Int
    let depth: Int
    let inputOffset: Int32
    let filterOffset: Int32
    let outputZeroPoint: Int32
    let activation: ActivationRange
    /// One entry per unit; per-tensor weights repeat the same multiplier.
    let channelMultipliers: ChannelMultipliers
    let filterIsConstant: Bool
    let unitCorrection: OwnedBuffer<Int32>
    let dots: OwnedBuffer<Int32>
    /// The packed GEMM (constant weights, shifts in range, more than a few hundred MACs).
    let gemm: Gemm?
    /// Constant weights, shifts in range, at most SmallFullyConnected.maximumMultiplyAccumulates.
    /// Neither engine: row dots.
    let small: SmallFullyConnected?
    /// `small` unretained for `invoke`: the call on the stored reference retained and released
    /// it every time (the kernels write through raw pointers, so ARC cannot prove it stays put).
    let smallCall: Unmanaged<SmallFullyConnected>?
    /// fo·Σx per batch row when the weights have a zero point.
    let rowTerms: OwnedBuffer<Int32>
    /// One engine per thread (the first is `gemm`), sharing packed weights and output stage.
    let lanes: [Gemm]
    /// The interpreter's threads and the parts the GEMM's batch rows are cut into (1: not split).
    let runner: (any ParallelRunner)?
    let parts: Int
    override var workParts: Int { parts }

    init(input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, bias: UnsafePointer<Int32>?,
         output: UnsafeMutablePointer<Int8>, batches: Int, units: Int, depth: Int, inputZeroPoint: Int32,
         filterZeroPoint: Int32, outputZeroPoint: Int32, activation: ActivationRange,
         channelMultipliers: ChannelMultipliers, filterIsConstant: Bool, kernelPath: KernelPath = .widening,
         parallel: Parallelism? = nil) {
        self.input = input
        self.filter = filter
        self.bias = bias
        self.output = output
        self.batches = batches
        self.units = units
        self.depth = depth
        inputOffset = 0 &- inputZeroPoint
        filterOffset = 0 &- filterZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.activation = activation
        self.channelMultipliers = channelMultipliers
        self.filterIsConstant = filterIsConstant
        unitCorrection = OwnedBuffer(count: units, initialValue: 0)
        dots = OwnedBuffer(count: units, initialValue: 0)
        rowTerms = OwnedBuffer(count: batches, initialValue: 0)
        var stage: GemmOutputStage? = nil
        if filterIsConstant && GemmOutputStage.shiftsSupported(channelMultipliers.shifts.base, count: units) {
            stage = GemmOutputStage(channels: units, multipliers: channelMultipliers.multipliers.base,
                                    shifts: channelMultipliers.shifts.base, outputZeroPoint: outputZeroPoint,
                                    min: activation.min, max: activation.max)
        }
        let constantTerm = Int32(truncatingIfNeeded: depth) &* (0 &- filterZeroPoint) &* (0 &- inputZeroPoint)
        for n in 0..<units {
            unitCorrection[n] = (0 &- inputZeroPoint) &* sumInt8(filter + n &* depth, depth) &+ constantTerm
            if let stage { stage.offsets[n] = unitCorrection[n] &+ (bias?[n] ?? 0) }
        }
        if let stage, batches * units * depth <= SmallFullyConnected.maximumMultiplyAccumulates {
            // A few hundred MACs (hello_world's layers): the tile machinery costs more than it saves.
            small = SmallFullyConnected(input: input, filter: filter, output: output, batches: batches,
                                        units: units, depth: depth, filterOffset: 0 &- filterZeroPoint,
                                        stage: stage)
            gemm = nil
        } else if let stage {
            small = nil
            gemm = Gemm(weights: PackedWeights(path: kernelPath, n: units, k: depth, weights: filter), stage: stage)
        } else {
            small = nil
            gemm = nil
        }
        smallCall = small.map { .passUnretained($0) }
        if let gemm, let parallel {
            parts = parallel.parts(multiplyAccumulates: batches * units * depth,
                                    rows: (batches + gemm.rowsPerTile - 1) / gemm.rowsPerTile)
        } else {
            parts = 1
        }
        self.runner = parts > 1 ? parallel?.runner : nil
        if let gemm {
            let count = parts > 1 ? parallel?.threads ?? 1 : 1
            lanes = [gemm] + (1..<count).map { _ in Gemm(weights: gemm.weights, stage: gemm.stage) }
        } else {
            lanes = []
        }
    }

    private func computeUnitCorrection() {
        let constantTerm = Int32(truncatingIfNeeded: depth) &* filterOffset &* inputOffset
        for n in 0..<units {
            unitCorrection[n] = inputOffset &* sumInt8(filter + n &* depth, depth) &+ constantTerm
        }
    }

    override var executor: Kernel { small ?? self }

    override func invoke() {
        if let smallCall {
            smallCall._withUnsafeGuaranteedRef { $0.invoke() }
        } else {
            invokeLarger()
        }
    }

    /// Not inlined into `invoke`: with these paths inside it, `invoke` saved every register and
    /// retained `small` before the tiny layers' call.
    @inline(never)
    private func invokeLarger() {
        if let gemm {
            var terms: UnsafePointer<Int32>? = nil
            if filterOffset != 0 {
                for b in 0..<batches { rowTerms[b] = filterOffset &* sumInt8(input + b &* depth, depth) }
                terms = UnsafePointer(rowTerms.base)
            }
            if let runner {
                runner.run(self, parts: parts)
                return
            }
            gemm.run(a: input, lda: depth, m: batches, readable: batches &* depth, rowOffsets: terms,
                     out: output, ldc: units)
            return
        }
        invokeRowDots()
    }

    /// The path for weights that change between runs: one input row against 4 weight rows.
    func invokeRowDots() {
        if !filterIsConstant { computeUnitCorrection() }
        for b in 0..<batches {
            let row = input + b &* depth
            dotInt8Rows(row, filter, rows: units, depth: depth, into: dots.base)
            let rowTerm = filterOffset == 0 ? 0 : filterOffset &* sumInt8(row, depth)
            let out = output + b &* units
            for n in 0..<units {
                var acc = dots[n] &+ unitCorrection[n] &+ rowTerm
                if let bias { acc &+= bias[n] }
                acc = multiplyByQuantizedMultiplier(acc, channelMultipliers.multipliers[n],
                                                    channelMultipliers.shifts[n])
                out[n] = clampToInt8(acc &+ outputZeroPoint, activation.min, activation.max)
            }
        }
    }

    /// TFLite Micro's reference loop, transcribed (per-tensor form; per-channel weights
    /// have zero filter offset, which makes the two forms coincide).
    func invokeReference() {
        for b in 0..<batches {
            for n in 0..<units {
                var acc: Int32 = 0
                for d in 0..<depth {
                    let x = Int32(input[b * depth + d])
                    let f = Int32(filter[n * depth + d])
                    acc &+= (f &+ filterOffset) &* (x &+ inputOffset)
                }
                if let bias { acc &+= bias[n] }
                acc = multiplyByQuantizedMultiplier(acc, channelMultipliers.multipliers[n],
                                                    channelMultipliers.shifts[n])
                acc &+= outputZeroPoint
                output[n + units * b] = clampToInt8(acc, activation.min, activation.max)
            }
        }
    }
}

func prepareFullyConnected(_ context: PrepareContext) throws(ModelError) -> FullyConnectedKernel {
    var options = FullyConnectedOptions()
    if case .fullyConnected(let o) = context.options { options = o }
    guard options.weightsFormat == 0 else { throw context.fail("shuffled weights are not supported") }
    try context.requireInputCount(2...3)
    let input = try context.requireInput(0, "input")
    let filter = try context.requireInput(1, "weights")
    let output = try context.requireOutput()
    try context.requireType(input, "input", .int8)
    try context.requireType(filter, "weights", .int8)
    try context.requireType(output, "output", .int8)
    try context.requireRank(filter, "weights", 2)
    try context.requireNonNegativeDims(input, "input")
    try context.requireNonNegativeDims(output, "output")

    let units = filter.shape[0]
    let depth = filter.shape[1]
    guard let outUnits = output.shape.last, outUnits == units, units > 0, depth > 0 else {
        throw context.shapeError("output \(shapeDescription(output.shape)) does not end in the \(units) units of weights \(shapeDescription(filter.shape))")
    }
    let batches = output.elementCount / units
    guard input.elementCount == batches * depth else {
        throw context.shapeError("input \(shapeDescription(input.shape)) is not \(batches) rows of \(depth)")
    }

    let (inputScale, inputZeroPoint) = try context.perTensorQuantization(input, "input")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    let scales = try context.filterScales(filter, channels: units)
    let biasPointer = try context.optionalBias(2, count: units)
    let multipliers: ChannelMultipliers
    var filterZeroPoint: Int32 = 0
    if scales.count > 1 {
        multipliers = context.channelMultipliers(inputScale: inputScale, filterScales: scales,
                                                 outputScale: outputScale, channels: units)
    } else {
        filterZeroPoint = filter.quantization?.zeroPoint ?? 0
        // GetQuantizedConvolutionMultipler: the scale product is formed in float.
        let productScale = inputScale * scales[0]
        if let bias = context.input(2), let biasScale = bias.quantization?.scales.first {
            let difference = Double(inputScale) * Double(scales[0]) - Double(biasScale)
            guard (difference < 0 ? -difference : difference) / Double(outputScale) <= 0.02 else {
                throw context.fail("bias scale \(biasScale) does not match input scale × weight scale")
            }
        }
        let q = QuantizedMultiplier(Double(productScale) / Double(outputScale))
        multipliers = ChannelMultipliers(multipliers: OwnedBuffer(count: units, initialValue: q.multiplier),
                                         shifts: OwnedBuffer(count: units, initialValue: q.shift))
    }
    let activation = try context.activationRange(options.activation, output: output, scale: outputScale,
                                                 zeroPoint: outputZeroPoint)
    return FullyConnectedKernel(
        input: UnsafePointer(input.pointer(as: Int8.self)), filter: UnsafePointer(filter.pointer(as: Int8.self)),
        bias: biasPointer.map { UnsafePointer($0) }, output: output.pointer(as: Int8.self),
        batches: batches, units: units, depth: depth, inputZeroPoint: inputZeroPoint,
        filterZeroPoint: filterZeroPoint, outputZeroPoint: outputZeroPoint, activation: activation,
        channelMultipliers: multipliers, filterIsConstant: filter.isConstant, kernelPath: context.kernelPath,
        parallel: context.parallel)
}

extension FullyConnectedKernel: ParallelWork {
    /// Part `part` of the GEMM: a run of whole tiles of batch rows, on the engine of `lane` (the row
    /// terms were computed before the split).
    func runPart(_ part: Int, of parts: Int, lane: Int) {
        let gemm = lanes[lane]
        let rows = WorkSplit.range(part: part, of: parts, rows: batches, granule: gemm.rowsPerTile)
        guard !rows.isEmpty else { return }
        let first = rows.lowerBound &* depth
        let terms: UnsafePointer<Int32>? = filterOffset != 0 ? UnsafePointer(rowTerms.base + rows.lowerBound) : nil
        gemm.run(a: input + first, lda: depth, m: rows.count, readable: batches &* depth &- first, rowOffsets: terms,
                 out: output + rows.lowerBound &* units, ldc: units)
    }
}
