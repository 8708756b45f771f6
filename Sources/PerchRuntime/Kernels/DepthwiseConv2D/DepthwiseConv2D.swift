/// DEPTHWISE_CONV_2D, int8 with per-channel or per-tensor filter scales, depth
/// multiplier, dilation, SAME/VALID padding and fused activation, bit-exact with TFLite
/// Micro's `reference_integer_ops::DepthwiseConvPerChannel`.
///
/// Channels are the contiguous dimension of input, filter and output, so the accumulators
/// of one output pixel are a row of int32 updated 8 or 16 channels at a time per filter tap.
/// Prepare (DepthwiseConv2DPrepare.swift) chooses one of three ways to run
/// (DepthwiseConv2DEval.swift), and for the first the row kernel of this CPU's path.
final class DepthwiseConv2DKernel: Kernel {
    typealias Geometry = ConvGeometry

    /// How invoke runs, chosen once at prepare.
    enum Path {
        /// Every window inside the image or its zero-point-padded copy: raw int8 taps, the
        /// input offset precomputed, one row kernel (constant filter, vector output stage).
        case windows(DepthwiseWindows)
        /// Bounds-checked windows, eight channels' accumulators in registers, taps outside the
        /// image skipped as in the reference (a vector output stage, but no in-image form).
        case vector(GemmOutputStage)
        /// Bounds-checked windows, accumulators in this memory row (any multiplier or shift).
        case rows(OwnedBuffer<Int32>)
    }

    let g: Geometry
    let input: UnsafePointer<Int8>
    let filter: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    let quantization: ConvQuantization
    let inputOffset: Int32
    let path: Path
    /// The interpreter's threads and the parts the in-image path's output rows are cut into
    /// (1: not split; the bounds-checked paths never are). No per-thread scratch is needed.
    let runner: (any ParallelRunner)?
    let parts: Int
    override var workParts: Int { parts }
    /// The batch the parts are working on, and whether they copy it into the padded image
    /// or run the windows (set by the calling thread before it starts them).
    var currentBatch = 0
    var copying = false
    /// Whether the padded copy is split over the threads too: only a large one pays for the
    /// extra hand-off (about as long as a 16 KB memcpy on a current core, and under QEMU a
    /// wake-up of every sleeping thread).
    let splitsCopy: Bool
    static let minimumSplitCopyBytes = 32 * 1024

    init(geometry: Geometry, input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>,
         output: UnsafeMutablePointer<Int8>, quantization: ConvQuantization, path: Path,
         runner: (any ParallelRunner)?, parts: Int) {
        g = geometry
        self.input = input
        self.filter = filter
        self.output = output
        self.quantization = quantization
        inputOffset = 0 &- quantization.inputZeroPoint
        self.path = path
        self.runner = runner
        self.parts = parts
        if case .windows(let windows) = path, windows.padded != nil {
            splitsCopy = geometry.inHeight &* geometry.inWidth &* geometry.inChannels >= DepthwiseConv2DKernel.minimumSplitCopyBytes
        } else {
            splitsCopy = false
        }
    }

    /// The in-image path's row kernel, or the bounds-checked form ("vector", "rows").
    var rowKernelName: String {
        switch path {
        case .windows(let windows): return windows.rowKernel.name
        case .vector: return "vector"
        case .rows: return "rows"
        }
    }

    override func invoke() {
        switch path {
        case .windows(let windows): invokeWindows(windows)
        case .vector(let stage): invokeVector(stage)
        case .rows(let accumulators): invokeRows(accumulators.base)
        }
    }
}

extension DepthwiseConv2DKernel: ParallelWork {
    /// Part `part`: a run of output rows of the current batch through the in-image kernel.
    func runPart(_ part: Int, of parts: Int, lane: Int) {
        guard case .windows(let windows) = path else { return }
        if copying {
            copyIntoPadded(windows, batch: currentBatch, rows: WorkSplit.range(part: part, of: parts, rows: g.inHeight))
            return
        }
        let rows = WorkSplit.range(part: part, of: parts, rows: g.outHeight)
        if !rows.isEmpty { windowRows(windows, batch: currentBatch, rows: rows) }
    }
}
