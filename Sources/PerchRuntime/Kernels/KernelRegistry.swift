/// Maps an operator to its prepared kernel. The one place that knows which operators
/// Perch runs; everything else sees `Kernel`.
public func makeKernel(_ context: PrepareContext) throws(ModelError) -> Kernel {
    switch context.op {
    case .conv2D: return try prepareConv2D(context)
    case .depthwiseConv2D: return try prepareDepthwiseConv2D(context)
    case .fullyConnected: return try prepareFullyConnected(context)
    case .averagePool2D: return try prepareAveragePool2D(context)
    case .maxPool2D: return try prepareMaxPool2D(context)
    case .reshape: return try prepareReshape(context)
    case .squeeze: return try prepareSqueeze(context)
    case .softmax: return try prepareSoftmax(context)
    case .transpose: return try prepareTranspose(context)
    case .batchMatMul: return try prepareBatchMatMul(context)
    case .add: return try prepareAdd(context)
    case .sub: return try prepareSub(context)
    case .mul: return try prepareMul(context)
    case .mean: return try prepareMean(context)
    case .rsqrt: return try prepareRsqrt(context)
    case .quantize: return try prepareQuantize(context)
    case .dequantize: return try prepareDequantize(context)
    case .pad: return try preparePad(context)
    case .concatenation: return try prepareConcatenation(context)
    case .logistic: return try prepareLogistic(context)
    case .tanh: return try prepareTanh(context)
    case .hardSwish: return try prepareHardSwish(context)
    case .relu: return try prepareRelu(context)
    case .relu6: return try prepareRelu6(context)
    case .stridedSlice: return try prepareStridedSlice(context)
    default:
        throw ModelError.unsupportedOperator(name: context.op.name, nodeIndex: context.nodeIndex)
    }
}
