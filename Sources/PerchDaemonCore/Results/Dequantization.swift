/// The affine mapping of an int8 output tensor: real = scale * (q - zeroPoint).
public struct OutputQuantization: Equatable, Sendable {
    public var scale: Float
    public var zeroPoint: Int32

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    public func dequantize(_ value: Int8) -> Float {
        scale * Float(Int32(value) - zeroPoint)
    }

    public func dequantize(_ values: UnsafeBufferPointer<Int8>) -> [Float] {
        values.map { dequantize($0) }
    }

    public func dequantize(_ values: [Int8]) -> [Float] {
        values.map { dequantize($0) }
    }
}
