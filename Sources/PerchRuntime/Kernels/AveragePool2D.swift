/// AVERAGE_POOL_2D, int8, as TFLite Micro's `reference_integer_ops::AveragePool`: the sum
/// over the window clipped to the image, divided by the clipped count rounding half away
/// from zero (C's truncating division after adding ±count/2).
final class AveragePool2DKernel: Kernel {
    let p: PreparedPool

    init(_ prepared: PreparedPool) { p = prepared }

    /// The sum divided by the window's count, rounding half away from zero, clamped.
    @inline(__always)
    private func roundedMean(_ sum: Int32, _ count: Int32) -> Int8 {
        var acc = sum
        // The reference fails the op on an empty window; the geometry checked at prepare
        // never produces one, but stay total.
        if count > 0 {
            acc = acc > 0 ? (acc &+ count / 2) / count : (acc &- count / 2) / count
        }
        return clampToInt8(acc, p.activation.min, p.activation.max)
    }

    override func invoke() {
        let g = p.geometry
        var out = p.output
        for b in 0..<g.batches {
            let inBatch = p.input + b &* g.inHeight &* g.inWidth &* g.channels
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                let fyStart = max(0, -iy0), fyEnd = min(g.filterHeight, g.inHeight &- iy0)
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    let fxStart = max(0, -ix0), fxEnd = min(g.filterWidth, g.inWidth &- ix0)
                    let count = Int32(truncatingIfNeeded: max(0, fyEnd &- fyStart) &* max(0, fxEnd &- fxStart))
                    // Eight channels at a time: their sums in one vector, the division per lane.
                    var c0 = 0
                    while c0 &+ 8 <= g.channels {
                        var sums = SIMD8<Int32>()
                        var fy = fyStart
                        while fy < fyEnd {
                            let rowBase = inBatch + (((iy0 &+ fy) &* g.inWidth &+ ix0) &* g.channels &+ c0)
                            var fx = fxStart
                            while fx < fxEnd {
                                let bytes = UnsafeRawPointer(rowBase + fx &* g.channels).loadUnaligned(as: SIMD8<Int8>.self)
                                sums &+= SIMD8<Int32>(truncatingIfNeeded: bytes)
                                fx &+= 1
                            }
                            fy &+= 1
                        }
                        for j in 0..<8 { out[c0 &+ j] = roundedMean(sums[j], count) }
                        c0 &+= 8
                    }
                    for c in c0..<g.channels {
                        var acc: Int32 = 0
                        var fy = fyStart
                        while fy < fyEnd {
                            let rowBase = inBatch + (((iy0 &+ fy) &* g.inWidth &+ ix0) &* g.channels &+ c)
                            var fx = fxStart
                            while fx < fxEnd {
                                acc &+= Int32(rowBase[fx &* g.channels])
                                fx &+= 1
                            }
                            fy &+= 1
                        }
                        out[c] = roundedMean(acc, count)
                    }
                    out += g.channels
                }
            }
        }
    }
}

func prepareAveragePool2D(_ context: PrepareContext) throws(ModelError) -> AveragePool2DKernel {
    AveragePool2DKernel(try preparePool(context))
}
