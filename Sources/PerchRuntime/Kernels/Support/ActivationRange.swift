/// The clamp range of a quantized output after a fused activation, as TFLite's
/// `CalculateActivationRangeQuantized` (kernel_util.cc): the real bounds 0, 6, ±1 are
/// quantized in *float* (`round(f / scale)` with C `round`) and intersected with the type range.
struct ActivationRange {
    var min: Int32
    var max: Int32
}

/// Representable range of a quantized element type.
func quantizedTypeRange(_ type: ElementType) -> ActivationRange? {
    switch type {
    case .int8: return ActivationRange(min: -128, max: 127)
    case .uint8: return ActivationRange(min: 0, max: 255)
    case .int16: return ActivationRange(min: -32768, max: 32767)
    default: return nil
    }
}

extension PrepareContext {
    func activationRange(_ activation: FusedActivation, output: Tensor, scale: Float,
                         zeroPoint: Int32) throws(ModelError) -> ActivationRange {
        guard let typeRange = quantizedTypeRange(output.type) else {
            throw fail("output type \(output.type.name) has no quantized range")
        }
        func quantize(_ f: Float) throws(ModelError) -> Int32 {
            let q = (f / scale).rounded(.toNearestOrAwayFromZero)
            guard q >= -2147483648.0 && q <= 2147483647.0 else {
                throw fail("activation bound \(f) overflows the output scale")
            }
            return zeroPoint &+ Int32(q)
        }
        switch activation {
        case .none:
            return typeRange
        case .relu:
            return ActivationRange(min: Swift.max(typeRange.min, try quantize(0)), max: typeRange.max)
        case .relu6:
            return ActivationRange(min: Swift.max(typeRange.min, try quantize(0)),
                                   max: Swift.min(typeRange.max, try quantize(6)))
        case .reluN1To1:
            return ActivationRange(min: Swift.max(typeRange.min, try quantize(-1)),
                                   max: Swift.min(typeRange.max, try quantize(1)))
        case .tanh, .signBit:
            throw fail("fused activation \(activation == .tanh ? "TANH" : "SIGN_BIT") is not supported")
        }
    }
}
