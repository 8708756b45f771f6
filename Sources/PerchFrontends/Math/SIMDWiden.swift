/// Widening conversions for SIMD kernels. The stdlib's `SIMD8<Int32>(truncatingIfNeeded:)`
/// is not inlined at -O (a call with spills per use, measured); an element loop marked
/// `@inline(__always)` becomes single widening instructions.
enum SIMDWiden {
    @inline(__always)
    static func int32(_ v: SIMD8<Int16>) -> SIMD8<Int32> {
        var r = SIMD8<Int32>()
        for i in 0..<8 { r[i] = Int32(v[i]) }
        return r
    }

    @inline(__always)
    static func int32(_ v: SIMD8<UInt8>) -> SIMD8<Int32> {
        var r = SIMD8<Int32>()
        for i in 0..<8 { r[i] = Int32(v[i]) }
        return r
    }

    @inline(__always)
    static func uint16(_ v: SIMD16<UInt8>) -> SIMD16<UInt16> {
        var r = SIMD16<UInt16>()
        for i in 0..<16 { r[i] = UInt16(v[i]) }
        return r
    }

    @inline(__always)
    static func uint8(truncating v: SIMD16<UInt16>) -> SIMD16<UInt8> {
        var r = SIMD16<UInt8>()
        for i in 0..<16 { r[i] = UInt8(truncatingIfNeeded: v[i]) }
        return r
    }
}
