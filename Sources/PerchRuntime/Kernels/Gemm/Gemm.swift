/// One GEMM-shaped operator's engine: `out[m][n] = stage(Σ_k a[m][k]·w[n][k])` over
/// weights packed for the chosen kernel path, a tile of rows at a time. Activation rows
/// are read in place when they are readable `kPadded` bytes far; otherwise (a depth that is
/// not a multiple of the step, at the end of a tensor) they are copied to zero-padded
/// staging rows. Rows past the end of a tile repeat a valid row and are not stored.
final class Gemm {
    let weights: PackedWeights
    let stage: GemmOutputStage
    let rowsPerTile: Int
    /// rowsPerTile rows of kPadded bytes, zero past K.
    let staging: OwnedBuffer<Int8>
    let rowPointers: UnsafeMutablePointer<UnsafePointer<Int8>>
    let zeroRowOffsets: OwnedBuffer<Int32>

    init(weights: PackedWeights, stage: GemmOutputStage) {
        self.weights = weights
        self.stage = stage
        rowsPerTile = Gemm.rowsPerTile(weights.path)
        staging = OwnedBuffer(count: rowsPerTile * weights.kPadded + 16, initialValue: 0)
        rowPointers = .allocate(capacity: 8)
        rowPointers.initialize(repeating: UnsafePointer(staging.base), count: 8)
        zeroRowOffsets = OwnedBuffer(count: 8, initialValue: 0)
    }

    deinit { rowPointers.deallocate() }

    static func rowsPerTile(_ path: KernelPath) -> Int {
        switch path {
        case .widening: return 4
        case .dotProduct: return 8
        case .vnni: return 8
        case .avx2: return 3
        }
    }

    /// Staging row `r` (kPadded bytes, zero past K) for callers that gather rows themselves.
    @inline(__always)
    func stagingRow(_ r: Int) -> UnsafeMutablePointer<Int8> { staging.base + r &* weights.kPadded }

    /// Rows `a + i·lda` for i < m; `readable` bytes from `a` may be read.
    /// `rowOffsets` (m entries) are added to every channel of their row when given.
    func run(a: UnsafePointer<Int8>, lda: Int, m: Int, readable: Int, rowOffsets: UnsafePointer<Int32>?,
             out: UnsafeMutablePointer<Int8>, ldc: Int) {
        let k = weights.k, kPadded = weights.kPadded
        let tile = rowsPerTile
        var m0 = 0
        while m0 < m {
            let count = min(tile, m &- m0)
            if count == tile && (m0 &+ tile &- 1) &* lda &+ kPadded <= readable {
                // A whole tile readable in place (most tiles of a 1×1 convolution): no per-row
                // checks (they cost about 10 instructions a row on aarch64).
                var row = a + m0 &* lda
                for r in 0..<tile {
                    rowPointers[r] = row
                    row += lda
                }
                runTile(rowCount: tile, rowOffsets: rowOffsets.map { $0 + m0 }, out: out + m0 &* ldc, ldc: ldc)
                m0 &+= tile
                continue
            }
            for r in 0..<tile {
                let row = m0 &+ min(r, count &- 1)
                let start = row &* lda
                if start &+ kPadded <= readable {
                    rowPointers[r] = a + start
                } else {
                    let dst = stagingRow(r)
                    UnsafeMutableRawPointer(dst).copyMemory(from: a + start, byteCount: k)
                    rowPointers[r] = UnsafePointer(dst)
                }
            }
            runTile(rowCount: count, rowOffsets: rowOffsets.map { $0 + m0 }, out: out + m0 &* ldc, ldc: ldc)
            m0 &+= count
        }
    }

    /// One tile from `rowPointers[0..<rowsPerTile]` (all set; rows from rowCount on are ignored).
    @inline(__always)
    func runTile(rowCount: Int, rowOffsets: UnsafePointer<Int32>?, out: UnsafeMutablePointer<Int8>, ldc: Int) {
        if weights.path == .vnni {
            // The kernel takes 128 × Σ a back out of every row itself (weights stored + 128).
            if let rowOffsets {
                for r in 0..<rowsPerTile { zeroRowOffsets[r] = rowOffsets[min(r, rowCount &- 1)] }
            }
            VNNIKernels.tile(rows: rowPointers, rowCount: rowCount, weights: weights, stage: stage,
                             rowOffsets: UnsafePointer(zeroRowOffsets.base), out: out, ldc: ldc)
            UnsafeMutableRawPointer(zeroRowOffsets.base).storeBytes(of: SIMD8<Int32>(), as: SIMD8<Int32>.self)
            return
        }
        var offsets = UnsafePointer(zeroRowOffsets.base)
        // The aarch64 kernels' short output stage: no row offsets, right shifts only.
        let simpleStage = rowOffsets == nil && stage.rightShiftsOnly
        if let rowOffsets {
            for r in 0..<rowsPerTile { zeroRowOffsets[r] = rowOffsets[min(r, rowCount &- 1)] }
            offsets = UnsafePointer(zeroRowOffsets.base)
        }
        switch weights.path {
        case .widening:
            #if arch(arm64)
            NEONKernels.tile(rows: rowPointers, rowCount: rowCount, weights: weights, stage: stage,
                             rowOffsets: offsets, out: out, ldc: ldc, simpleStage: simpleStage)
            #else
            gemmWideningTile(rows: rowPointers, rowCount: rowCount, weights: weights, stage: stage,
                             rowOffsets: offsets, out: out, ldc: ldc)
            #endif
        case .vnni:
            break
        case .avx2:
            AVX2Kernels.tile(rows: rowPointers, rowCount: rowCount, weights: weights, stage: stage,
                             rowOffsets: offsets, out: out, ldc: ldc)
        case .dotProduct:
            DotProductKernels.tile(rows: rowPointers, rowCount: rowCount, weights: weights, stage: stage,
                                   rowOffsets: offsets, out: out, ldc: ldc, simpleStage: simpleStage)
        }
        if rowOffsets != nil {
            UnsafeMutableRawPointer(zeroRowOffsets.base).storeBytes(of: SIMD8<Int32>(), as: SIMD8<Int32>.self)
        }
    }
}
