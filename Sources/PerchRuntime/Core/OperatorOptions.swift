/// TFLite `ActivationFunctionType` (schema.fbs), fused into many operators.
public enum FusedActivation: Int8, Sendable {
    case none = 0, relu = 1, reluN1To1 = 2, relu6 = 3, tanh = 4, signBit = 5
}

/// TFLite `Padding` (schema.fbs).
public enum Padding: Int8, Sendable {
    case same = 0, valid = 1
}

public struct Conv2DOptions: Sendable {
    public var padding: Padding = .same
    public var strideW = 1, strideH = 1
    public var dilationW = 1, dilationH = 1
    public var activation: FusedActivation = .none
    public init() {}
}

public struct DepthwiseConv2DOptions: Sendable {
    public var padding: Padding = .same
    public var strideW = 1, strideH = 1
    public var depthMultiplier = 1
    public var dilationW = 1, dilationH = 1
    public var activation: FusedActivation = .none
    public init() {}
}

public struct Pool2DOptions: Sendable {
    public var padding: Padding = .same
    public var strideW = 1, strideH = 1
    public var filterW = 1, filterH = 1
    public var activation: FusedActivation = .none
    public init() {}
}

public struct FullyConnectedOptions: Sendable {
    public var activation: FusedActivation = .none
    /// 0 = DEFAULT; other weight formats (shuffled) are rejected at prepare.
    public var weightsFormat: Int8 = 0
    public var keepNumDims = false
    public init() {}
}

public struct StridedSliceOptions: Sendable {
    public var beginMask: Int32 = 0, endMask: Int32 = 0, ellipsisMask: Int32 = 0
    public var newAxisMask: Int32 = 0, shrinkAxisMask: Int32 = 0
    public var offset = false
    public init() {}
}

/// The builtin options of one operator, parsed from the file. `.none` when the operator
/// has no options table (or one Perch does not need); kernels use the schema defaults then.
public enum OperatorOptions: Sendable {
    case none
    case conv2D(Conv2DOptions)
    case depthwiseConv2D(DepthwiseConv2DOptions)
    case pool2D(Pool2DOptions)
    case fullyConnected(FullyConnectedOptions)
    case softmax(beta: Float)
    case concatenation(axis: Int, activation: FusedActivation)
    /// ADD, SUB, MUL.
    case arithmetic(activation: FusedActivation)
    case reshape(newShape: [Int]?)
    /// MEAN and other reducers.
    case reducer(keepDims: Bool)
    case squeeze(dims: [Int])
    case stridedSlice(StridedSliceOptions)
    case batchMatMul(adjointX: Bool, adjointY: Bool)
}
