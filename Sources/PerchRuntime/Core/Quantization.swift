/// Affine quantization of one tensor: `real = scale * (q - zeroPoint)`.
/// Per-tensor when `scales.count == 1`; per-channel along `dimension` otherwise.
public struct Quantization: Sendable {
    public var scales: [Float]
    public var zeroPoints: [Int32]
    /// The axis the per-channel parameters run along (TFLite's `quantized_dimension`).
    public var dimension: Int

    public init(scales: [Float], zeroPoints: [Int32], dimension: Int = 0) {
        self.scales = scales
        self.zeroPoints = zeroPoints
        self.dimension = dimension
    }

    public var isPerChannel: Bool { scales.count > 1 }
    /// Scale of a per-tensor quantization (the first scale otherwise).
    public var scale: Float { scales.isEmpty ? 0 : scales[0] }
    public var zeroPoint: Int32 { zeroPoints.isEmpty ? 0 : zeroPoints[0] }
}
