/// Output size and leading padding of a windowed op (conv, depthwise, pooling), as
/// TFLite's `ComputePaddingHeightWidth` / `ComputeOutSize` (kernels/padding.h): SAME gives
/// ceil(in / stride) outputs and floor(total / 2) padding before; VALID pads nothing.
struct WindowGeometry {
    var outSize: Int
    var padBefore: Int

    static func compute(padding: Padding, inSize: Int, filterSize: Int, stride: Int,
                        dilation: Int) -> WindowGeometry? {
        guard inSize >= 0, filterSize > 0, stride > 0, dilation > 0 else { return nil }
        let effectiveFilter = (filterSize - 1) * dilation + 1
        let outSize: Int
        switch padding {
        case .same: outSize = (inSize + stride - 1) / stride
        case .valid: outSize = max(0, (inSize + stride - effectiveFilter) / stride)
        }
        let total = max(0, (outSize - 1) * stride + effectiveFilter - inSize)
        return WindowGeometry(outSize: outSize, padBefore: total / 2)
    }
}
