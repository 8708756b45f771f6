#if arch(arm64)
import PerchNEON
#endif

/// Lane-wise maximum and minimum of 16 bytes: smax/smin on aarch64, a compare and select
/// elsewhere.
@inline(__always)
private func lanesMax(_ a: SIMD16<Int8>, _ b: SIMD16<Int8>) -> SIMD16<Int8> {
    #if arch(arm64)
    return perchNEONMax(a, b)
    #else
    return a.replacing(with: b, where: b .> a)
    #endif
}

@inline(__always)
private func lanesMin(_ a: SIMD16<Int8>, _ b: SIMD16<Int8>) -> SIMD16<Int8> {
    #if arch(arm64)
    return perchNEONMin(a, b)
    #else
    return a.replacing(with: b, where: b .< a)
    #endif
}

/// MAX_POOL_2D, int8, as TFLite Micro's `reference_integer_ops::MaxPool`: the maximum over
/// the window clipped to the image (starting from -128), then the activation clamp.
final class MaxPool2DKernel: Kernel {
    let p: PreparedPool

    init(_ prepared: PreparedPool) { p = prepared }

    override func invoke() {
        let g = p.geometry
        let lo = Int8(truncatingIfNeeded: p.activation.min), hi = Int8(truncatingIfNeeded: p.activation.max)
        let lo16 = SIMD16<Int8>(repeating: lo), hi16 = SIMD16<Int8>(repeating: hi)
        var out = p.output
        for b in 0..<g.batches {
            let inBatch = p.input + b &* g.inHeight &* g.inWidth &* g.channels
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                let fyStart = max(0, -iy0), fyEnd = min(g.filterHeight, g.inHeight &- iy0)
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    let fxStart = max(0, -ix0), fxEnd = min(g.filterWidth, g.inWidth &- ix0)
                    // Sixteen channels at a time, then the rest one by one.
                    var c0 = 0
                    while c0 &+ 16 <= g.channels {
                        var m = SIMD16<Int8>(repeating: .min)
                        var fy = fyStart
                        while fy < fyEnd {
                            let rowBase = inBatch + (((iy0 &+ fy) &* g.inWidth &+ ix0) &* g.channels &+ c0)
                            var fx = fxStart
                            while fx < fxEnd {
                                m = lanesMax(m, UnsafeRawPointer(rowBase + fx &* g.channels).loadUnaligned(as: SIMD16<Int8>.self))
                                fx &+= 1
                            }
                            fy &+= 1
                        }
                        m = lanesMin(lanesMax(m, lo16), hi16)
                        UnsafeMutableRawPointer(out + c0).storeBytes(of: m, as: SIMD16<Int8>.self)
                        c0 &+= 16
                    }
                    for c in c0..<g.channels {
                        var m = Int8.min
                        var fy = fyStart
                        while fy < fyEnd {
                            let rowBase = inBatch + (((iy0 &+ fy) &* g.inWidth &+ ix0) &* g.channels &+ c)
                            var fx = fxStart
                            while fx < fxEnd {
                                m = max(m, rowBase[fx &* g.channels])
                                fx &+= 1
                            }
                            fy &+= 1
                        }
                        out[c] = min(max(m, lo), hi)
                    }
                    out += g.channels
                }
            }
        }
    }
}

func prepareMaxPool2D(_ context: PrepareContext) throws(ModelError) -> MaxPool2DKernel {
    MaxPool2DKernel(try preparePool(context))
}
