/// BATCH_MATMUL, int8 (lhs, rhs, output per-tensor quantized), adj_x/adj_y, batch dims
/// broadcast, ranks 2...5, as TFLite Micro's `reference_ops::BatchMatMul<int8, int32>`:
/// Σ (l - zp_l)(r - zp_r) over the shared dimension, requantized with
/// `QuantizeMultiplier(double(float(s_l * s_r)) / double(s_out))` (the product is formed
/// in float, GetQuantizedConvolutionMultipler), clamped to the int8 range (no activation).
///
/// Fast path: the right-hand side is laid out as rows along the shared dimension (a
/// constant one is transposed once at prepare, as TFLM caches it), each lhs row is
/// dotted with 4 rhs rows at a time, and the zero-point terms come from row sums.
final class BatchMatMulKernel: Kernel {
    struct Geometry {
        var rows = 0, cols = 0, depth = 0           // M, N, K
        var outBatch = [1, 1, 1]
        var lhsBatchStrides = [0, 0, 0]             // in slices
        var rhsBatchStrides = [0, 0, 0]
        var rhsSlices = 1
        var adjX = false, adjY = false
    }

    let g: Geometry
    let lhs: UnsafePointer<Int8>
    let rhs: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    let lhsOffset: Int32
    let rhsOffset: Int32
    let outputZeroPoint: Int32
    let multiplier: QuantizedMultiplier
    /// rhs as [slice][N][K] (prepared once when constant) and its row sums [slice][N].
    let rhsRows: OwnedBuffer<Int8>?
    let rhsSums: OwnedBuffer<Int32>
    let rhsIsPrepared: Bool
    let lhsScratch: OwnedBuffer<Int8>
    let rhsScratch: OwnedBuffer<Int8>
    let dots: OwnedBuffer<Int32>
    /// GEMM engines: one per rhs slice when the rhs is constant (packed here), else one
    /// repacked per slice at invoke. Empty when the multiplier's shift is out of range.
    let gemms: [Gemm]
    let rowTerms: OwnedBuffer<Int32>
    /// Per extra thread, an engine beside each of `gemms` (same packed weights and output
    /// stage, own staging rows): `laneGemms[l - 1][i]` is lane l's `gemms[i]`.
    let laneGemms: [[Gemm]]
    /// The interpreter's threads and the parts one slice's rows are cut into (1: not split).
    let runner: (any ParallelRunner)?
    let parts: Int
    override var workParts: Int { parts }
    /// The slice the parts are working on, set by the calling thread before it starts them.
    private var current = (gemm: 0, left: UnsafePointer<Int8>(bitPattern: 1)!, out: UnsafeMutablePointer<Int8>(bitPattern: 1)!)

    init(geometry: Geometry, lhs: UnsafePointer<Int8>, rhs: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
         lhsZeroPoint: Int32, rhsZeroPoint: Int32, outputZeroPoint: Int32, multiplier: QuantizedMultiplier,
         rhsIsConstant: Bool, kernelPath: KernelPath = .widening, parallel: Parallelism? = nil) {
        g = geometry
        self.lhs = lhs
        self.rhs = rhs
        self.output = output
        lhsOffset = 0 &- lhsZeroPoint
        rhsOffset = 0 &- rhsZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.multiplier = multiplier
        let sliceSize = geometry.cols * geometry.depth
        rhsIsPrepared = rhsIsConstant
        rhsRows = rhsIsConstant && !geometry.adjY ? OwnedBuffer(count: geometry.rhsSlices * sliceSize, initialValue: 0) : nil
        rhsSums = OwnedBuffer(count: (rhsIsConstant ? geometry.rhsSlices : 1) * geometry.cols, initialValue: 0)
        lhsScratch = OwnedBuffer(count: geometry.adjX ? geometry.rows * geometry.depth : 1, initialValue: 0)
        rhsScratch = OwnedBuffer(count: !rhsIsConstant && !geometry.adjY ? sliceSize : 1, initialValue: 0)
        dots = OwnedBuffer(count: geometry.cols, initialValue: 0)
        rowTerms = OwnedBuffer(count: geometry.rows, initialValue: 0)
        var shift = multiplier.shift
        if !GemmOutputStage.shiftsSupported(&shift, count: 1) || geometry.cols == 0 || geometry.depth == 0 {
            gemms = []
        } else {
            gemms = (0..<(rhsIsConstant ? geometry.rhsSlices : 1)).map { _ in
                Gemm(weights: PackedWeights(path: kernelPath, n: geometry.cols, k: geometry.depth),
                     stage: GemmOutputStage(channels: geometry.cols, multiplier: multiplier,
                                            outputZeroPoint: outputZeroPoint, min: -128, max: 127))
            }
        }
        if let parallel, let first = gemms.first {
            parts = parallel.parts(
                                    multiplyAccumulates: geometry.rows * geometry.cols * geometry.depth,
                                    rows: (geometry.rows + first.rowsPerTile - 1) / first.rowsPerTile)
        } else {
            parts = 1
        }
        self.runner = parts > 1 ? parallel?.runner : nil
        let engines = gemms
        let count = parts > 1 ? parallel?.threads ?? 1 : 1
        laneGemms = (1..<count).map { _ in engines.map { Gemm(weights: $0.weights, stage: $0.stage) } }
        super.init()
        if rhsIsConstant {
            let constantTerm = Int32(truncatingIfNeeded: geometry.depth) &* lhsOffset &* rhsOffset
            for s in 0..<geometry.rhsSlices {
                let rows = rhsSliceRows(s, scratch: rhsRows.map { $0.base + s * sliceSize })
                for n in 0..<geometry.cols {
                    rhsSums[s * geometry.cols + n] = sumInt8(rows + n * geometry.depth, geometry.depth)
                }
                if !gemms.isEmpty {
                    gemms[s].weights.pack(rows)
                    for n in 0..<geometry.cols {
                        gemms[s].stage.offsets[n] = lhsOffset &* rhsSums[s * geometry.cols + n] &+ constantTerm
                    }
                }
            }
        }
    }

    /// The rhs slice `s` as N rows of K, transposing [K][N] into `scratch` when needed.
    @inline(__always)
    private func rhsSliceRows(_ s: Int, scratch: UnsafeMutablePointer<Int8>?) -> UnsafePointer<Int8> {
        let slice = rhs + s &* g.cols &* g.depth
        if g.adjY { return slice }
        guard let scratch else { return slice }
        for k in 0..<g.depth {
            for n in 0..<g.cols { scratch[n &* g.depth &+ k] = slice[k &* g.cols &+ n] }
        }
        return UnsafePointer(scratch)
    }

    override func invoke() {
        let m = g.rows, n = g.cols, k = g.depth
        let constantTerm = Int32(truncatingIfNeeded: k) &* lhsOffset &* rhsOffset
        var out = output
        for b0 in 0..<g.outBatch[0] {
            for b1 in 0..<g.outBatch[1] {
                for b2 in 0..<g.outBatch[2] {
                    let ls = b0 &* g.lhsBatchStrides[0] &+ b1 &* g.lhsBatchStrides[1] &+ b2 &* g.lhsBatchStrides[2]
                    let rs = b0 &* g.rhsBatchStrides[0] &+ b1 &* g.rhsBatchStrides[1] &+ b2 &* g.rhsBatchStrides[2]
                    // Right-hand rows and their sums.
                    let rows: UnsafePointer<Int8>
                    let sums: UnsafeMutablePointer<Int32>
                    if rhsIsPrepared {
                        if let prepared = rhsRows {
                            rows = UnsafePointer(prepared.base + rs &* n &* k)
                        } else {
                            rows = rhs + rs &* n &* k
                        }
                        sums = rhsSums.base + rs &* n
                    } else {
                        rows = rhsSliceRows(rs, scratch: g.adjY ? nil : rhsScratch.base)
                        sums = rhsSums.base
                        for j in 0..<n { sums[j] = sumInt8(rows + j &* k, k) }
                    }
                    // Left-hand rows, transposed from [K][M] when adj_x.
                    var left = lhs + ls &* m &* k
                    if g.adjX {
                        for kk in 0..<k {
                            for i in 0..<m { lhsScratch[i &* k &+ kk] = left[kk &* m &+ i] }
                        }
                        left = UnsafePointer(lhsScratch.base)
                    }
                    if !gemms.isEmpty {
                        let index = rhsIsPrepared ? rs : 0
                        let gemm = gemms[index]
                        if !rhsIsPrepared {
                            gemm.weights.pack(rows)
                            for j in 0..<n { gemm.stage.offsets[j] = lhsOffset &* sums[j] &+ constantTerm }
                        }
                        for i in 0..<m { rowTerms[i] = rhsOffset &* sumInt8(left + i &* k, k) }
                        if let runner {
                            current = (index, left, out)
                            runner.run(self, parts: parts)
                            out += m &* n
                            continue
                        }
                        gemm.run(a: left, lda: k, m: m, readable: m &* k, rowOffsets: UnsafePointer(rowTerms.base),
                                 out: out, ldc: n)
                        out += m &* n
                        continue
                    }
                    for i in 0..<m {
                        let row = left + i &* k
                        dotInt8Rows(row, rows, rows: n, depth: k, into: dots.base)
                        let rowTerm = rhsOffset &* sumInt8(row, k) &+ constantTerm
                        for j in 0..<n {
                            let acc = dots[j] &+ lhsOffset &* sums[j] &+ rowTerm
                            out[j] = clampToInt8(multiplier.apply(acc) &+ outputZeroPoint, -128, 127)
                        }
                        out += n
                    }
                }
            }
        }
    }

    /// The reference loop: out[b][i][j] = Σ_k (lhs[b][i][k] + lo)(rhs[b][k][j] + ro), with
    /// indices read through adj_x/adj_y directly from the original tensors.
    func invokeReference() {
        let m = g.rows, n = g.cols, k = g.depth
        var o = 0
        for b0 in 0..<g.outBatch[0] {
            for b1 in 0..<g.outBatch[1] {
                for b2 in 0..<g.outBatch[2] {
                    let ls = b0 * g.lhsBatchStrides[0] + b1 * g.lhsBatchStrides[1] + b2 * g.lhsBatchStrides[2]
                    let rs = b0 * g.rhsBatchStrides[0] + b1 * g.rhsBatchStrides[1] + b2 * g.rhsBatchStrides[2]
                    let l = lhs + ls * m * k, r = rhs + rs * n * k
                    for i in 0..<m {
                        for j in 0..<n {
                            var acc: Int32 = 0
                            for kk in 0..<k {
                                let a = Int32(g.adjX ? l[kk * m + i] : l[i * k + kk])
                                let b = Int32(g.adjY ? r[j * k + kk] : r[kk * n + j])
                                acc &+= (a &+ lhsOffset) &* (b &+ rhsOffset)
                            }
                            output[o] = clampToInt8(multiplier.apply(acc) &+ outputZeroPoint, -128, 127)
                            o += 1
                        }
                    }
                }
            }
        }
    }
}

extension BatchMatMulKernel: ParallelWork {
    /// Part `part` of the current slice: a run of whole tiles of its rows, on the engines of `lane`
    /// (the slice's weights, offsets and row terms were set before the split).
    func runPart(_ part: Int, of parts: Int, lane: Int) {
        let gemm = lane == 0 ? gemms[current.gemm] : laneGemms[lane - 1][current.gemm]
        let rows = WorkSplit.range(part: part, of: parts, rows: g.rows, granule: gemm.rowsPerTile)
        guard !rows.isEmpty else { return }
        let k = g.depth, n = g.cols
        gemm.run(a: current.left + rows.lowerBound &* k, lda: k, m: rows.count, readable: (g.rows &- rows.lowerBound) &* k,
                 rowOffsets: UnsafePointer(rowTerms.base + rows.lowerBound), out: current.out + rows.lowerBound &* n, ldc: n)
    }
}

func prepareBatchMatMul(_ context: PrepareContext) throws(ModelError) -> BatchMatMulKernel {
    var adjX = false, adjY = false
    if case .batchMatMul(let x, let y) = context.options { adjX = x; adjY = y }
    try context.requireInputCount(2...2)
    let lhs = try context.requireInput(0, "lhs")
    let rhs = try context.requireInput(1, "rhs")
    let output = try context.requireOutput()
    try context.requireType(lhs, "lhs", .int8)
    try context.requireType(rhs, "rhs", .int8)
    try context.requireType(output, "output", .int8)
    try context.requireNonNegativeDims(lhs, "lhs")
    try context.requireNonNegativeDims(rhs, "rhs")
    let lr = lhs.shape.count, rr = rhs.shape.count
    guard lr >= 2 && lr <= 5 && rr >= 2 && rr <= 5 else {
        throw context.shapeError("operand ranks \(lr) and \(rr) must be 2...5")
    }
    let rank = max(lr, rr)
    let le = [Int](repeating: 1, count: rank - lr) + lhs.shape
    let re = [Int](repeating: 1, count: rank - rr) + rhs.shape

    var g = BatchMatMulKernel.Geometry()
    g.adjX = adjX; g.adjY = adjY
    g.rows = adjX ? le[rank - 1] : le[rank - 2]
    let lhsDepth = adjX ? le[rank - 2] : le[rank - 1]
    g.cols = adjY ? re[rank - 2] : re[rank - 1]
    let rhsDepth = adjY ? re[rank - 1] : re[rank - 2]
    guard lhsDepth == rhsDepth else {
        throw context.shapeError("shared dimension differs: \(lhsDepth) vs \(rhsDepth)")
    }
    g.depth = lhsDepth

    // Batch dims (at most 3), broadcast, with strides counted in slices.
    let batchRank = rank - 2
    var lb = [1, 1, 1], rb = [1, 1, 1]
    for i in 0..<batchRank {
        lb[3 - batchRank + i] = le[i]
        rb[3 - batchRank + i] = re[i]
    }
    var expected: [Int] = []
    var lStride = 1, rStride = 1
    for i in stride(from: 2, through: 0, by: -1) {
        guard lb[i] == rb[i] || lb[i] == 1 || rb[i] == 1 else {
            throw context.shapeError("batch dims \(shapeDescription(lhs.shape)) and \(shapeDescription(rhs.shape)) do not broadcast")
        }
        g.outBatch[i] = lb[i] == 1 ? rb[i] : lb[i]
        g.lhsBatchStrides[i] = lb[i] == 1 ? 0 : lStride
        g.rhsBatchStrides[i] = rb[i] == 1 ? 0 : rStride
        lStride *= lb[i]
        rStride *= rb[i]
    }
    g.rhsSlices = rStride
    for i in (3 - batchRank)..<3 { expected.append(g.outBatch[i]) }
    expected += [g.rows, g.cols]
    guard output.shape == expected else {
        throw context.shapeError("output is \(shapeDescription(output.shape)), expected \(shapeDescription(expected))")
    }

    let (lhsScale, lhsZeroPoint) = try context.perTensorQuantization(lhs, "lhs")
    let (rhsScale, rhsZeroPoint) = try context.perTensorQuantization(rhs, "rhs")
    let (outputScale, outputZeroPoint) = try context.perTensorQuantization(output, "output")
    let productScale = lhsScale * rhsScale
    return BatchMatMulKernel(
        geometry: g, lhs: UnsafePointer(lhs.pointer(as: Int8.self)), rhs: UnsafePointer(rhs.pointer(as: Int8.self)),
        output: output.pointer(as: Int8.self), lhsZeroPoint: lhsZeroPoint, rhsZeroPoint: rhsZeroPoint,
        outputZeroPoint: outputZeroPoint, multiplier: QuantizedMultiplier(Double(productScale) / Double(outputScale)),
        rhsIsConstant: rhs.isConstant, kernelPath: context.kernelPath, parallel: context.parallel)
}
