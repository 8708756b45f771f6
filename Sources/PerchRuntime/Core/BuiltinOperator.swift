/// TFLite builtin operator codes (schema.fbs `BuiltinOperator`) that Perch knows by name.
/// The raw value is the code in the file; codes Perch does not run are kept as `.other`
/// so errors can still name them.
public enum BuiltinOperator: Equatable, Sendable {
    case add, averagePool2D, concatenation, conv2D, depthwiseConv2D, dequantize
    case fullyConnected, logistic, maxPool2D, mul, relu, reluN1To1, relu6, reshape
    case softmax, tanh, pad, transpose, mean, sub, squeeze, stridedSlice, rsqrt
    case quantize, hardSwish, batchMatMul
    case other(Int32)

    public init(code: Int32) {
        switch code {
        case 0: self = .add
        case 1: self = .averagePool2D
        case 2: self = .concatenation
        case 3: self = .conv2D
        case 4: self = .depthwiseConv2D
        case 6: self = .dequantize
        case 9: self = .fullyConnected
        case 14: self = .logistic
        case 17: self = .maxPool2D
        case 18: self = .mul
        case 19: self = .relu
        case 20: self = .reluN1To1
        case 21: self = .relu6
        case 22: self = .reshape
        case 25: self = .softmax
        case 28: self = .tanh
        case 34: self = .pad
        case 39: self = .transpose
        case 40: self = .mean
        case 41: self = .sub
        case 43: self = .squeeze
        case 45: self = .stridedSlice
        case 76: self = .rsqrt
        case 114: self = .quantize
        case 117: self = .hardSwish
        case 126: self = .batchMatMul
        default: self = .other(code)
        }
    }

    /// The schema's name, as TFLite tools print it.
    public var name: String {
        switch self {
        case .add: return "ADD"
        case .averagePool2D: return "AVERAGE_POOL_2D"
        case .concatenation: return "CONCATENATION"
        case .conv2D: return "CONV_2D"
        case .depthwiseConv2D: return "DEPTHWISE_CONV_2D"
        case .dequantize: return "DEQUANTIZE"
        case .fullyConnected: return "FULLY_CONNECTED"
        case .logistic: return "LOGISTIC"
        case .maxPool2D: return "MAX_POOL_2D"
        case .mul: return "MUL"
        case .relu: return "RELU"
        case .reluN1To1: return "RELU_N1_TO_1"
        case .relu6: return "RELU6"
        case .reshape: return "RESHAPE"
        case .softmax: return "SOFTMAX"
        case .tanh: return "TANH"
        case .pad: return "PAD"
        case .transpose: return "TRANSPOSE"
        case .mean: return "MEAN"
        case .sub: return "SUB"
        case .squeeze: return "SQUEEZE"
        case .stridedSlice: return "STRIDED_SLICE"
        case .rsqrt: return "RSQRT"
        case .quantize: return "QUANTIZE"
        case .hardSwish: return "HARD_SWISH"
        case .batchMatMul: return "BATCH_MATMUL"
        case .other(let code):
            // Codes Perch does not run still get their schema name when it is known.
            if let known = builtinOperatorSchemaName(code) { return known }
            return "builtin code \(code)"
        }
    }
}
