/// Element types of tensors, with the raw values of TFLite's `TensorType` enum
/// (schema.fbs) so the loader can map the file's byte directly.
public enum ElementType: UInt8, Sendable {
    case float32 = 0
    case float16 = 1
    case int32 = 2
    case uint8 = 3
    case int64 = 4
    case string = 5
    case bool = 6
    case int16 = 7
    case complex64 = 8
    case int8 = 9
    case float64 = 10

    /// Bytes per element; `nil` for types Perch cannot store in the arena (string).
    public var byteSize: Int? {
        switch self {
        case .float32, .int32: return 4
        case .float16, .int16: return 2
        case .uint8, .int8, .bool: return 1
        case .int64, .complex64, .float64: return 8
        case .string: return nil
        }
    }

    public var name: String {
        switch self {
        case .float32: return "float32"
        case .float16: return "float16"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .int64: return "int64"
        case .string: return "string"
        case .bool: return "bool"
        case .int16: return "int16"
        case .complex64: return "complex64"
        case .int8: return "int8"
        case .float64: return "float64"
        }
    }
}
