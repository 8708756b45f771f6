import PerchRuntime

/// How pixel values 0...255 become the model's real-valued input before quantization.
public enum PixelNormalization: Sendable, Equatable {
    /// real = p / 255, in [0, 1].
    case unit
    /// real = p / 127.5 - 1, in [-1, 1].
    case symmetric
    /// The stored value is p - 128 (int8) or p (uint8), ignoring scale and zero point: what the
    /// TFLM person_detection example feeds its camera pixels as.
    case minus128

    public init?(name: String) {
        switch name {
        case "unit", "0,1", "[0,1]": self = .unit
        case "symmetric", "-1,1", "[-1,1]": self = .symmetric
        case "minus128", "raw", "pixel-128": self = .minus128
        default: return nil
        }
    }

    public var name: String {
        switch self {
        case .unit: return "unit"
        case .symmetric: return "symmetric"
        case .minus128: return "minus128"
        }
    }
}

/// The input tensor an image becomes: NHWC geometry and its quantization.
public struct ImageTensorGeometry: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (grey) or 3 (RGB).
    public var channels: Int
    /// `.int8` or `.uint8`.
    public var type: ElementType
    public var scale: Float
    public var zeroPoint: Int32

    public init(width: Int, height: Int, channels: Int, type: ElementType = .int8, scale: Float, zeroPoint: Int32) {
        self.width = width; self.height = height; self.channels = channels
        self.type = type; self.scale = scale; self.zeroPoint = zeroPoint
    }

    /// From a model input tensor's shape [1, H, W, C], type and quantization.
    public init(shape: [Int], type: ElementType, quantization: Quantization?) throws(FrontendError) {
        guard shape.count == 4, shape[0] == 1, shape[1] > 0, shape[2] > 0, shape[3] == 1 || shape[3] == 3 else {
            throw .invalidConfiguration("image input must be [1, H, W, 1 or 3]")
        }
        self.init(width: shape[2], height: shape[1], channels: shape[3], type: type,
                  scale: quantization?.scale ?? 1, zeroPoint: quantization?.zeroPoint ?? 0)
    }

    public var byteCount: Int { width * height * channels }

    func validate() throws(FrontendError) {
        guard width > 0, height > 0, width <= 8192, height <= 8192, channels == 1 || channels == 3 else {
            throw .invalidConfiguration("tensor geometry")
        }
        guard type == .int8 || type == .uint8 else { throw .invalidConfiguration("image tensors are int8 or uint8") }
        guard scale > 0 && scale.isFinite else { throw .invalidConfiguration("quantization scale must be > 0") }
    }
}

/// Maps each of the 256 pixel values to its quantized byte once; pixels are then a lookup.
/// Rounding is half away from zero, as TFLite's quantize.
struct TensorQuantizer {
    let table: [UInt8]

    init(geometry: ImageTensorGeometry, normalization: PixelNormalization) {
        let low: Int32 = geometry.type == .int8 ? -128 : 0
        let high: Int32 = geometry.type == .int8 ? 127 : 255
        var table = [UInt8](repeating: 0, count: 256)
        for p in 0..<256 {
            let q: Int32
            switch normalization {
            case .minus128:
                q = geometry.type == .int8 ? Int32(p) - 128 : Int32(p)
            case .unit, .symmetric:
                let real = normalization == .unit ? Float(p) / 255 : Float(p) / 127.5 - 1
                let scaled = (real / geometry.scale).rounded(.toNearestOrAwayFromZero)
                q = Int32(max(-1e6, min(1e6, scaled))) + geometry.zeroPoint
            }
            table[p] = UInt8(truncatingIfNeeded: max(low, min(high, q)))
        }
        self.table = table
    }

    func apply(_ pixels: UnsafePointer<UInt8>, count: Int, into out: UnsafeMutablePointer<UInt8>) {
        table.withUnsafeBufferPointer { t in
            for i in 0..<count { out[i] = t[Int(pixels[i])] }
        }
    }
}
