import PerchNEON

// PerchSDot's entry points, declared by symbol name and not imported: Embedded Swift would
// otherwise inline their bodies (and their `sdot`s) into this module, which is compiled for
// CPUs without the dot-product extension.
@_silgen_name("perch_sdot_available")
func perchSDotAvailable() -> Bool

@_silgen_name("perch_sdot_gemm_tile")
func perchSDotGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                       weights: UnsafePointer<Int8>, panels: Int, n: Int,
                       table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                       outputZeroPoint: Int32, min: Int32, max: Int32,
                       out: UnsafeMutablePointer<Int8>, ldc: Int, simpleStage: Bool)

/// The micro-kernels that live in their own modules (NEON intrinsics; the sdot module is
/// compiled with +dotprod), called with the packed weights and output-stage table.
enum DotProductKernels {
    static var available: Bool { perchSDotAvailable() }

    @inline(__always)
    static func tile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, weights: PackedWeights,
                     stage: GemmOutputStage, rowOffsets: UnsafePointer<Int32>,
                     out: UnsafeMutablePointer<Int8>, ldc: Int, simpleStage: Bool) {
        perchSDotGemmTile(rows: rows, rowCount: rowCount, kPadded: weights.kPadded,
                          weights: UnsafePointer(weights.data.base), panels: weights.panels, n: weights.n,
                          table: UnsafePointer(stage.table.base), stride: stage.stride, rowOffsets: rowOffsets,
                          outputZeroPoint: stage.outputZeroPoint, min: stage.min, max: stage.max, out: out, ldc: ldc,
                          simpleStage: simpleStage)
    }
}

@_silgen_name("perch_vnni_available")
func perchVNNIAvailable() -> Bool

@_silgen_name("perch_vnni_gemm_tile")
func perchVNNIGemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, depth: Int, kPadded: Int,
                       weights: UnsafePointer<Int8>, panels: Int, n: Int,
                       table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                       outputZeroPoint: Int32, min: Int32, max: Int32,
                       out: UnsafeMutablePointer<Int8>, ldc: Int)

@_silgen_name("perch_vnni_depthwise_row")
func perchVNNIDepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                           out: UnsafeMutablePointer<Int8>, channels: Int, taps: Int,
                           tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int8>,
                           offsets: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                           outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool)

@_silgen_name("perch_vnni_depthwise_pairs8")
func perchVNNIDepthwisePairs8(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                              out: UnsafeMutablePointer<Int8>, broadcastInput: Bool, taps: Int,
                              tapOffsets: UnsafePointer<Int>, filter16: UnsafePointer<Int8>,
                              offsets16: UnsafePointer<Int32>, table: UnsafePointer<Int32>, stride: Int,
                              outputZeroPoint: Int32, min: Int32, max: Int32, pairs: Bool)

/// PerchVNNI (x86-64-v4 + AVX-512 VNNI), by symbol name for the same reason as PerchSDot.
enum VNNIKernels {
    static var available: Bool { perchVNNIAvailable() }

    @inline(__always)
    static func tile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, weights: PackedWeights,
                     stage: GemmOutputStage, rowOffsets: UnsafePointer<Int32>,
                     out: UnsafeMutablePointer<Int8>, ldc: Int) {
        perchVNNIGemmTile(rows: rows, rowCount: rowCount, depth: weights.k, kPadded: weights.kPadded,
                          weights: UnsafePointer(weights.data.base), panels: weights.panels, n: weights.n,
                          table: UnsafePointer(stage.table.base), stride: stage.stride, rowOffsets: rowOffsets,
                          outputZeroPoint: stage.outputZeroPoint, min: stage.min, max: stage.max, out: out, ldc: ldc)
    }
}

@_silgen_name("perch_avx2_available")
func perchAVX2Available() -> Bool

@_silgen_name("perch_avx2_gemm_tile")
func perchAVX2GemmTile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, kPadded: Int,
                       weights: UnsafePointer<Int8>, panels: Int, n: Int,
                       table: UnsafePointer<Int32>, stride: Int, rowOffsets: UnsafePointer<Int32>,
                       outputZeroPoint: Int32, min: Int32, max: Int32,
                       out: UnsafeMutablePointer<Int8>, ldc: Int)

@_silgen_name("perch_avx2_depthwise_row")
func perchAVX2DepthwiseRow(origin: UnsafePointer<Int8>, pixelStep: Int, pixels: Int,
                           out: UnsafeMutablePointer<Int8>, channels: Int, broadcastInput: Bool,
                           taps: Int, tapOffsets: UnsafePointer<Int>, filter: UnsafePointer<Int16>,
                           table: UnsafePointer<Int32>, stride: Int,
                           outputZeroPoint: Int32, min: Int32, max: Int32)

/// PerchX86AVX2 (x86-64-v3), by symbol name for the same reason as PerchSDot.
enum AVX2Kernels {
    static var available: Bool { perchAVX2Available() }

    @inline(__always)
    static func tile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, weights: PackedWeights,
                     stage: GemmOutputStage, rowOffsets: UnsafePointer<Int32>,
                     out: UnsafeMutablePointer<Int8>, ldc: Int) {
        perchAVX2GemmTile(rows: rows, rowCount: rowCount, kPadded: weights.kPadded,
                          weights: UnsafePointer(weights.data.base), panels: weights.panels, n: weights.n,
                          table: UnsafePointer(stage.table.base), stride: stage.stride, rowOffsets: rowOffsets,
                          outputZeroPoint: stage.outputZeroPoint, min: stage.min, max: stage.max, out: out, ldc: ldc)
    }
}

enum NEONKernels {
    @inline(__always)
    static func tile(rows: UnsafePointer<UnsafePointer<Int8>>, rowCount: Int, weights: PackedWeights,
                     stage: GemmOutputStage, rowOffsets: UnsafePointer<Int32>,
                     out: UnsafeMutablePointer<Int8>, ldc: Int, simpleStage: Bool) {
        perchNEONGemmTile(rows: rows, rowCount: rowCount, kPadded: weights.kPadded,
                          weights: UnsafePointer(weights.data.base), panels: weights.panels, n: weights.n,
                          table: UnsafePointer(stage.table.base), stride: stage.stride, rowOffsets: rowOffsets,
                          outputZeroPoint: stage.outputZeroPoint, min: stage.min, max: stage.max, out: out, ldc: ldc,
                          pairsFitInt16: weights.pairsFitInt16, simpleStage: simpleStage)
    }
}

/// `perch bench --kernel gemm`: the micro-kernel alone, M×K random activations against
/// N×K packed random weights, requantized to int8.
public final class GemmBenchmark {
    let gemm: Gemm
    let a: OwnedBuffer<Int8>
    let out: OwnedBuffer<Int8>
    let m: Int
    let k: Int
    let n: Int
    /// A digest of the last output, so the work cannot be optimized away.
    public var checksum: Int {
        var sum = 0
        for i in 0..<(m * n) { sum &+= Int(out[i]) &* (i & 255) }
        return sum
    }

    /// Weights are symmetric int8 (-127...127, as TFLite quantizes them) unless
    /// `fullRangeWeights`, which adds -128 (the NEON path then cannot pair products in int16).
    public init(m: Int, n: Int, k: Int, path: KernelPath, fullRangeWeights: Bool = false) {
        self.m = m; self.n = n; self.k = k
        var state: UInt32 = 2463534242
        func next() -> Int8 {
            state ^= state << 13; state ^= state >> 17; state ^= state << 5
            return Int8(truncatingIfNeeded: state >> 7)
        }
        let w = OwnedBuffer<Int8>(count: n * k, initialValue: 0)
        for i in 0..<(n * k) {
            let v = next()
            w[i] = !fullRangeWeights && v == -128 ? -127 : v
        }
        a = OwnedBuffer(count: m * k, initialValue: 0)
        for i in 0..<(m * k) { a[i] = next() }
        out = OwnedBuffer(count: m * n, initialValue: 0)
        let weights = PackedWeights(path: path, n: n, k: k, weights: UnsafePointer(w.base))
        let stage = GemmOutputStage(channels: n, multiplier: QuantizedMultiplier(0.0007), outputZeroPoint: 3,
                                    min: -128, max: 127)
        gemm = Gemm(weights: weights, stage: stage)
    }

    public func run() {
        gemm.run(a: UnsafePointer(a.base), lda: k, m: m, readable: m * k, rowOffsets: nil, out: out.base, ldc: n)
    }
}
