/// The engine for FULLY_CONNECTED layers of a few hundred multiply-accumulates (hello_world's
/// 1→16→16→1), where a fixed cost per call dominates: no tiles, no row staging, no per-call
/// set-up. Everything that does not depend on the input is laid out at prepare:
///
/// - 8 units or more: weights widened to Int16 and stored depth-major (`depth × stride`,
///   units padded to 16), so each input value is multiplied into 16 int32 accumulators
///   (on aarch64 `smlal`, 8 inputs per vector load) that start at the folded
///   offsets (bias + zero-point terms); the vector output stage then runs on the
///   accumulators in registers.
/// - fewer units: one int8 dot product per unit into the lanes of one vector, then the same
///   vector output stage.
///
/// Same arithmetic as the other FULLY_CONNECTED paths (int32 sums wrap; the output stage is
/// GemmOutputStage's), so the outputs are bit-identical to TFLite Micro's.
/// A Kernel itself: FullyConnectedKernel names it as its executor, so the interpreter calls it
/// directly.
final class SmallFullyConnected: Kernel {
    let input: UnsafePointer<Int8>
    let output: UnsafeMutablePointer<Int8>
    /// The original row-major int8 weights (the dot-product form reads them).
    let filter: UnsafePointer<Int8>
    let batches: Int
    let units: Int
    let depth: Int
    /// fo = -filter zero point; non-zero only for per-tensor asymmetric weights.
    let filterOffset: Int32
    /// Depth-major Int16 weights, `stride` entries per depth (outer-product form only).
    let widened: OwnedBuffer<Int16>
    let stride: Int
    let stage: GemmOutputStage
    let parameters: OutputStageParameters
    /// Outer-product form (units ≥ 8) or one dot product per unit (fewer).
    let byColumns: Bool

    static let maximumMultiplyAccumulates = 1024

    /// `stage.offsets` must already hold bias + xo·Σw + K·fo·xo per unit.
    init(input: UnsafePointer<Int8>, filter: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>,
         batches: Int, units: Int, depth: Int, filterOffset: Int32, stage: GemmOutputStage) {
        self.input = input
        self.output = output
        self.filter = filter
        self.batches = batches
        self.units = units
        self.depth = depth
        self.filterOffset = filterOffset
        self.stage = stage
        parameters = stage.parameters
        byColumns = units >= 8
        stride = (units + 15) & ~15
        widened = OwnedBuffer(count: byColumns ? depth * stride : 1, initialValue: 0)
        if byColumns {
            for n in 0..<units {
                for k in 0..<depth { widened[k * stride + n] = Int16(filter[n * depth + k]) }
            }
        }
    }

    override func invoke() {
        var b = 0
        while b < batches {
            let x = input + b &* depth
            let rowTerm = filterOffset == 0 ? 0 : filterOffset &* sumInt8(x, depth)
            let out = output + b &* units
            if byColumns {
                runColumns(x, rowTerm, out)
            } else {
                runRows(x, rowTerm, out)
            }
            b &+= 1
        }
    }

    /// Fewer than 8 units: acc[n] = Σ x[k]·w[n][k], one lane each.
    @inline(__always)
    private func runRows(_ x: UnsafePointer<Int8>, _ rowTerm: Int32, _ out: UnsafeMutablePointer<Int8>) {
        var acc = loadInt32x8(stage.offsets) &+ SIMD8(repeating: rowTerm)
        var n = 0
        while n < units {
            acc[n] &+= dotInt8(x, filter + n &* depth, depth)
            n &+= 1
        }
        let bytes = parameters.finish8(acc, 0)
        n = 0
        while n < units {
            out[n] = bytes[n]
            n &+= 1
        }
    }

    /// 16 units per pass over the input row: acc[n] += x[k] · w[k][n].
    @inline(__always)
    private func runColumns(_ x: UnsafePointer<Int8>, _ rowTerm: Int32, _ out: UnsafeMutablePointer<Int8>) {
        let offsets = UnsafePointer(stage.offsets)
        let weights = UnsafePointer(widened.base)
        let stride = self.stride, depth = self.depth, units = self.units
        var n = 0
        while n < units {
            var low = loadInt32x8(offsets + n) &+ SIMD8(repeating: rowTerm)
            var high = loadInt32x8(offsets + (n &+ 8)) &+ SIMD8(repeating: rowTerm)
            var w = weights + n
            @inline(__always) func step(_ broadcast: SIMD8<Int16>) {
                let v = widenToInt32(broadcast)
                low &+= v &* widenToInt32(loadInt16x8(w))
                high &+= v &* widenToInt32(loadInt16x8(w + 8))
                w += stride
            }
            var k = 0
            while k &+ 8 <= depth {
                // Eight inputs in one register; each step multiplies by one of its lanes
                // (LLVM makes the lane broadcast smov + dup, then 4 smlal).
                let inputs = widenToInt16(loadInt8x8(x + k))
                for i in 0..<8 { step(SIMD8(repeating: inputs[i])) }
                k &+= 8
            }
            while k < depth {
                step(SIMD8(repeating: Int16(x[k])))
                k &+= 1
            }
            let first = parameters.finish8(low, n)
            if n &+ 16 <= units {
                let second = parameters.finish8(high, n &+ 8)
                UnsafeMutableRawPointer(out + n).storeBytes(of: SIMD16(lowHalf: first, highHalf: second),
                                                            as: SIMD16<Int8>.self)
            } else {
                // The last block: 8 or fewer of the 16 lanes, then what is left.
                let count = units &- n
                let second = count > 8 ? parameters.finish8(high, n &+ 8) : SIMD8<Int8>()
                var i = 0
                while i < count {
                    out[n &+ i] = i < 8 ? first[i] : second[i &- 8]
                    i &+= 1
                }
            }
            n &+= 16
        }
    }
}
