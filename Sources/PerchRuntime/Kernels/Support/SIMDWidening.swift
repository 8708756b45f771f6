/// Widening and loading helpers for the int8 SIMD inner loops. The stdlib's
/// `SIMD16<Int32>(truncatingIfNeeded:)` is not inlined at -O (a call with spills per use);
/// these element loops marked `@inline(__always)` become NEON sxtl/smlal and x86 pmovsx.

@inline(__always)
func widenToInt32(_ v: SIMD16<Int8>) -> SIMD16<Int32> {
    var r = SIMD16<Int32>()
    for i in 0..<16 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
func widenToInt32(_ v: SIMD8<Int8>) -> SIMD8<Int32> {
    var r = SIMD8<Int32>()
    for i in 0..<8 { r[i] = Int32(v[i]) }
    return r
}

@inline(__always)
func loadInt8x16(_ p: UnsafePointer<Int8>) -> SIMD16<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int8>.self)
}

@inline(__always)
func loadInt8x8(_ p: UnsafePointer<Int8>) -> SIMD8<Int8> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Int8>.self)
}

@inline(__always)
func loadInt32x16(_ p: UnsafePointer<Int32>) -> SIMD16<Int32> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Int32>.self)
}

@inline(__always)
func storeInt32x16(_ v: SIMD16<Int32>, _ p: UnsafeMutablePointer<Int32>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Int32>.self)
}

/// Sum of lanes with wrapping adds (the accumulators are int32 modulo 2^32, as in TFLite).
@inline(__always)
func lanesSum(_ v: SIMD16<Int32>) -> Int32 {
    v.wrappedSum()
}
