/// One tensor of a loaded model as the kernels see it.
///
/// `data` is resolved before any kernel is prepared: constant tensors point into the
/// model's (aligned, owned) buffer, all others into the interpreter's arena. Kernels may
/// keep the pointer: it stays valid for the interpreter's lifetime.
public struct Tensor {
    public var name: String
    public var type: ElementType
    public var shape: [Int]
    public var quantization: Quantization?
    /// True when the tensor's contents come from the model file (weights, biases, shapes).
    public var isConstant: Bool
    public var data: UnsafeMutableRawPointer

    public init(name: String, type: ElementType, shape: [Int], quantization: Quantization?,
                isConstant: Bool, data: UnsafeMutableRawPointer) {
        self.name = name
        self.type = type
        self.shape = shape
        self.quantization = quantization
        self.isConstant = isConstant
        self.data = data
    }

    public var elementCount: Int { shape.reduce(1, &*) }
    public var byteCount: Int { elementCount &* (type.byteSize ?? 0) }

    public func pointer<T>(as: T.Type) -> UnsafeMutablePointer<T> {
        data.assumingMemoryBound(to: T.self)
    }
}
