/// Maps an operator to its prepared kernel. The one place that knows which operators
/// Perch runs; everything else sees `any Kernel`.
public func makeKernel(_ context: PrepareContext) throws(ModelError) -> any Kernel {
    switch context.op {
    default:
        throw ModelError.unsupportedOperator(name: context.op.name, nodeIndex: context.nodeIndex)
    }
}
