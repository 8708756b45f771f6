/// Field ids of the TFLite schema tables Perch reads (schema.fbs, "TFL3").
/// A field's id is its declaration index; a union takes two ids (its `_type` byte
/// first, then the offset to the value table).
enum ModelField {
    static let version = 0, operatorCodes = 1, subgraphs = 2, description = 3, buffers = 4
}

enum SubGraphField {
    static let tensors = 0, inputs = 1, outputs = 2, operators = 3, name = 4
}

enum TensorField {
    static let shape = 0, type = 1, buffer = 2, name = 3, quantization = 4
    static let isVariable = 5, sparsity = 6, shapeSignature = 7, hasRank = 8, variantTensors = 9
}

enum QuantizationField {
    static let min = 0, max = 1, scale = 2, zeroPoint = 3, detailsType = 4, details = 5
    static let quantizedDimension = 6
}

enum BufferField {
    static let data = 0, offset = 1, size = 2
}

enum OperatorCodeField {
    static let deprecatedBuiltinCode = 0, customCode = 1, version = 2, builtinCode = 3
}

enum OperatorField {
    static let opcodeIndex = 0, inputs = 1, outputs = 2
    static let builtinOptionsType = 3, builtinOptions = 4
    static let customOptions = 5, customOptionsFormat = 6
    static let mutatingVariableInputs = 7, intermediates = 8
    static let largeCustomOptionsOffset = 9, largeCustomOptionsSize = 10
    static let builtinOptions2Type = 11, builtinOptions2 = 12
}

/// `BuiltinOptions` union member numbers (0 is NONE) for the option tables Perch parses.
enum BuiltinOptionsType {
    static let conv2D: UInt8 = 1
    static let depthwiseConv2D: UInt8 = 2
    static let pool2D: UInt8 = 5
    static let fullyConnected: UInt8 = 8
    static let softmax: UInt8 = 9
    static let concatenation: UInt8 = 10
    static let add: UInt8 = 11
    static let reshape: UInt8 = 17
    static let mul: UInt8 = 21
    static let reducer: UInt8 = 27
    static let sub: UInt8 = 28
    static let squeeze: UInt8 = 30
    static let stridedSlice: UInt8 = 32
    static let batchMatMul: UInt8 = 101
}

/// The operator code for custom operators (`BuiltinOperator.CUSTOM`).
let customOperatorCode: Int32 = 32
