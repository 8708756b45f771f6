// Resizing of interleaved 8-bit images (1 or 3 channels), in integer arithmetic; the
// methods are PerchMedia's ResizeMethod.

/// Bilinear resize with half-pixel centres (as TF's `half_pixel_centers` and OpenCV):
/// a horizontal pass per needed source row into 8.8 fixed point, then a SIMD vertical blend.
/// Column tables are built once per geometry.
final class BilinearResizer {
    let srcWidth: Int, srcHeight: Int, dstWidth: Int, dstHeight: Int, channels: Int
    let x0: [Int32], x1: [Int32], wx: [UInt16]   // per output column (element offsets)
    let y0: [Int], y1: [Int], wy: [UInt32]
    let rowA: UnsafeMutablePointer<UInt16>, rowB: UnsafeMutablePointer<UInt16>
    var rowAIndex = -1, rowBIndex = -1

    init(srcWidth: Int, srcHeight: Int, dstWidth: Int, dstHeight: Int, channels: Int) {
        self.srcWidth = srcWidth; self.srcHeight = srcHeight
        self.dstWidth = dstWidth; self.dstHeight = dstHeight; self.channels = channels
        let xs = BilinearResizer.taps(src: srcWidth, dst: dstWidth)
        var x0 = [Int32](), x1 = [Int32](), wx = [UInt16]()
        for x in 0..<dstWidth {
            for c in 0..<channels {
                x0.append(Int32(xs.i0[x] * channels + c)); x1.append(Int32(xs.i1[x] * channels + c))
                wx.append(UInt16(xs.w[x]))
            }
        }
        self.x0 = x0; self.x1 = x1; self.wx = wx
        let ys = BilinearResizer.taps(src: srcHeight, dst: dstHeight)
        y0 = ys.i0; y1 = ys.i1; wy = ys.w.map { UInt32($0) }
        let n = dstWidth * channels + 16
        rowA = .allocate(capacity: n); rowA.initialize(repeating: 0, count: n)
        rowB = .allocate(capacity: n); rowB.initialize(repeating: 0, count: n)
    }

    deinit { rowA.deallocate(); rowB.deallocate() }

    /// Source indices and Q8 weight of the second one, per output index.
    static func taps(src: Int, dst: Int) -> (i0: [Int], i1: [Int], w: [Int]) {
        var i0 = [Int](), i1 = [Int](), w = [Int]()
        for d in 0..<dst {
            // Source coordinate (d + 0.5) * src / dst - 0.5 in 16.16.
            let s = ((2 * d + 1) * src << 16) / (2 * dst) - (1 << 15)
            if s <= 0 {
                i0.append(0); i1.append(0); w.append(0)
            } else {
                let i = s >> 16
                if i >= src - 1 {
                    i0.append(src - 1); i1.append(src - 1); w.append(0)
                } else {
                    i0.append(i); i1.append(i + 1); w.append(((s & 0xFFFF) + 128) >> 8)
                }
            }
        }
        return (i0, i1, w)
    }

    func horizontal(_ src: UnsafePointer<UInt8>, into row: UnsafeMutablePointer<UInt16>) {
        let n = dstWidth * channels
        x0.withUnsafeBufferPointer { x0 in
            x1.withUnsafeBufferPointer { x1 in
                wx.withUnsafeBufferPointer { wx in
                    for i in 0..<n {
                        let w = wx[i]
                        row[i] = UInt16(src[Int(x0[i])]) &* (256 &- w) &+ UInt16(src[Int(x1[i])]) &* w
                    }
                }
            }
        }
    }

    func resize(_ src: UnsafePointer<UInt8>, srcStride: Int, into dst: UnsafeMutablePointer<UInt8>) {
        rowAIndex = -1; rowBIndex = -1
        let n = dstWidth * channels
        for y in 0..<dstHeight {
            let ia = y0[y], ib = y1[y]
            if rowAIndex != ia {
                if rowBIndex == ia { rowA.update(from: rowB, count: n) } else { horizontal(src + ia * srcStride, into: rowA) }
                rowAIndex = ia
            }
            if rowBIndex != ib {
                horizontal(src + ib * srcStride, into: rowB)
                rowBIndex = ib
            }
            BilinearResizer.blend(rowA, rowB, weight: wy[y], count: n, into: dst + y * n)
        }
    }

    /// out = (a * (256 - w) + b * w + 2^15) >> 16, 16 lanes at a time.
    static func blend(_ a: UnsafePointer<UInt16>, _ b: UnsafePointer<UInt16>, weight: UInt32, count: Int,
                      into out: UnsafeMutablePointer<UInt8>) {
        var i = 0
        let wa = SIMD8<UInt32>(repeating: 256 - weight), wb = SIMD8<UInt32>(repeating: weight)
        let half = SIMD8<UInt32>(repeating: 1 << 15)
        while i + 8 <= count {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<UInt16>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<UInt16>.self)
            var a32 = SIMD8<UInt32>(), b32 = SIMD8<UInt32>()
            for k in 0..<8 { a32[k] = UInt32(va[k]); b32[k] = UInt32(vb[k]) }
            let v = (a32 &* wa &+ b32 &* wb &+ half) &>> 16
            for k in 0..<8 { out[i + k] = UInt8(truncatingIfNeeded: v[k]) }
            i += 8
        }
        blendReference(a + i, b + i, weight: weight, count: count - i, into: out + i)
    }

    static func blendReference(_ a: UnsafePointer<UInt16>, _ b: UnsafePointer<UInt16>, weight: UInt32, count: Int,
                               into out: UnsafeMutablePointer<UInt8>) {
        for i in 0..<count {
            out[i] = UInt8(truncatingIfNeeded: (UInt32(a[i]) * (256 - weight) + UInt32(b[i]) * weight + (1 << 15)) >> 16)
        }
    }
}

/// Area (box) averaging for large reductions: every source pixel falls in exactly one
/// output box (bounds floor(i * src / dst)); the mean is rounded. Column sums are
/// accumulated with SIMD.
final class AreaResizer {
    let srcWidth: Int, srcHeight: Int, dstWidth: Int, dstHeight: Int, channels: Int
    let columnSums: UnsafeMutablePointer<UInt32>

    init(srcWidth: Int, srcHeight: Int, dstWidth: Int, dstHeight: Int, channels: Int) {
        self.srcWidth = srcWidth; self.srcHeight = srcHeight
        self.dstWidth = dstWidth; self.dstHeight = dstHeight; self.channels = channels
        columnSums = .allocate(capacity: srcWidth * channels + 16)
    }

    deinit { columnSums.deallocate() }

    static func accumulate(_ row: UnsafePointer<UInt8>, count: Int, into sums: UnsafeMutablePointer<UInt32>) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<UInt8>.self)
            var w = SIMD8<UInt32>()
            for k in 0..<8 { w[k] = UInt32(v[k]) }
            let s = UnsafeMutableRawPointer(sums + i)
            s.storeBytes(of: s.loadUnaligned(as: SIMD8<UInt32>.self) &+ w, as: SIMD8<UInt32>.self)
            i += 8
        }
        while i < count { sums[i] &+= UInt32(row[i]); i += 1 }
    }

    func resize(_ src: UnsafePointer<UInt8>, srcStride: Int, into dst: UnsafeMutablePointer<UInt8>) {
        let rowElements = srcWidth * channels
        for y in 0..<dstHeight {
            let ya = y * srcHeight / dstHeight, yb = (y + 1) * srcHeight / dstHeight
            columnSums.update(repeating: 0, count: rowElements)
            for sy in ya..<yb { AreaResizer.accumulate(src + sy * srcStride, count: rowElements, into: columnSums) }
            for x in 0..<dstWidth {
                let xa = x * srcWidth / dstWidth, xb = (x + 1) * srcWidth / dstWidth
                let count = UInt32((xb - xa) * (yb - ya))
                for c in 0..<channels {
                    var sum: UInt32 = 0
                    for sx in xa..<xb { sum &+= columnSums[sx * channels + c] }
                    dst[(y * dstWidth + x) * channels + c] = UInt8(truncatingIfNeeded: (sum + count / 2) / count)
                }
            }
        }
    }
}
