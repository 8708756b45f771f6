/// Raw int8·int8 dot products, the inner loop shared by CONV_2D (over im2col rows),
/// FULLY_CONNECTED and BATCH_MATMUL. Zero points are folded in by the callers
/// (precomputed row sums × offsets), so the hot loop is a pure product-accumulate.
/// All sums wrap modulo 2^32 like TFLite's int32 accumulators, so any summation order
/// gives the same bits.

/// Σ a[k]·b[k] for k < count.
@inline(__always)
func dotInt8(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, _ count: Int) -> Int32 {
    var acc = SIMD16<Int32>()
    var k = 0
    while k &+ 16 <= count {
        acc &+= widenToInt32(loadInt8x16(a + k)) &* widenToInt32(loadInt8x16(b + k))
        k &+= 16
    }
    var sum = lanesSum(acc)
    while k < count {
        sum &+= Int32(a[k]) &* Int32(b[k])
        k &+= 1
    }
    return sum
}

/// Σ a[k]·b_j[k] for four rows b0...b3 sharing one `a` (each `a` load is reused 4×).
@inline(__always)
func dotInt8x4(_ a: UnsafePointer<Int8>, _ b0: UnsafePointer<Int8>, _ b1: UnsafePointer<Int8>,
               _ b2: UnsafePointer<Int8>, _ b3: UnsafePointer<Int8>, _ count: Int)
    -> (Int32, Int32, Int32, Int32)
{
    var acc0 = SIMD16<Int32>(), acc1 = SIMD16<Int32>(), acc2 = SIMD16<Int32>(), acc3 = SIMD16<Int32>()
    var k = 0
    while k &+ 16 <= count {
        let va = widenToInt32(loadInt8x16(a + k))
        acc0 &+= va &* widenToInt32(loadInt8x16(b0 + k))
        acc1 &+= va &* widenToInt32(loadInt8x16(b1 + k))
        acc2 &+= va &* widenToInt32(loadInt8x16(b2 + k))
        acc3 &+= va &* widenToInt32(loadInt8x16(b3 + k))
        k &+= 16
    }
    var s0 = lanesSum(acc0), s1 = lanesSum(acc1), s2 = lanesSum(acc2), s3 = lanesSum(acc3)
    while k < count {
        let x = Int32(a[k])
        s0 &+= x &* Int32(b0[k])
        s1 &+= x &* Int32(b1[k])
        s2 &+= x &* Int32(b2[k])
        s3 &+= x &* Int32(b3[k])
        k &+= 1
    }
    return (s0, s1, s2, s3)
}

/// Σ v[k] for k < count (row sums for zero-point corrections).
@inline(__always)
func sumInt8(_ v: UnsafePointer<Int8>, _ count: Int) -> Int32 {
    var acc = SIMD16<Int32>()
    var k = 0
    while k &+ 16 <= count {
        acc &+= widenToInt32(loadInt8x16(v + k))
        k &+= 16
    }
    var sum = lanesSum(acc)
    if k &+ 8 <= count {
        sum &+= widenToInt32(loadInt8x8(v + k)).wrappedSum()
        k &+= 8
    }
    while k < count {
        sum &+= Int32(v[k])
        k &+= 1
    }
    return sum
}

/// out[n] = Σ_k a[k]·b[n·stride + k] for n < rows: one `a` row against a row-major matrix.
@inline(__always)
func dotInt8Rows(_ a: UnsafePointer<Int8>, _ b: UnsafePointer<Int8>, rows: Int, depth: Int,
                 into out: UnsafeMutablePointer<Int32>) {
    var n = 0
    while n &+ 4 <= rows {
        let base = b + n &* depth
        let r = dotInt8x4(a, base, base + depth, base + 2 &* depth, base + 3 &* depth, depth)
        out[n] = r.0
        out[n &+ 1] = r.1
        out[n &+ 2] = r.2
        out[n &+ 3] = r.3
        n &+= 4
    }
    while n < rows {
        out[n] = dotInt8(a, b + n &* depth, depth)
        n &+= 1
    }
}
