/// Maps the Int16 log features (about 0...670) to micro_speech's int8 input, as the
/// preprocessor graph does after the Signal ops: training divided features by 25.6 and the
/// model quantized 0...26 to -128...127, so q = (f * 256 + 333) / 666 - 128 (integer
/// division truncating toward zero), clamped.
enum FeatureQuantizer {
    static let valueScale: Int32 = 256
    static let valueDivisor: Int32 = 666  // int(25.6 * 26 + 0.5)

    @inline(__always)
    static func quantize(_ feature: Int16) -> Int8 {
        let value = (Int32(feature) * valueScale + valueDivisor / 2) / valueDivisor - 128
        return Int8(clamping: value)
    }
}
