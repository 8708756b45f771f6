/// Everything that can go wrong loading or preparing a model. Each case carries enough
/// context (table, field, operator index, tensor) for a person to act on it.
public enum ModelError: Error, Equatable, Sendable {
    /// The file is not a well-formed flatbuffer: `what` names the table/field, `offset` the byte.
    case malformed(what: String, offset: Int)
    /// The flatbuffer is well formed but its contents contradict each other.
    case inconsistent(String)
    case unsupportedOperator(name: String, nodeIndex: Int)
    case unsupportedType(String)
    case shapeMismatch(String)
    /// A node's data is not one the kernel accepts (e.g. wrong quantization).
    case invalidNode(nodeIndex: Int, op: String, reason: String)

    public var description: String {
        switch self {
        case .malformed(let what, let offset):
            return "malformed model: \(what) (at byte \(offset))"
        case .inconsistent(let s):
            return "inconsistent model: \(s)"
        case .unsupportedOperator(let name, let node):
            return "unsupported operator \(name) at node \(node)"
        case .unsupportedType(let s):
            return "unsupported type: \(s)"
        case .shapeMismatch(let s):
            return "shape mismatch: \(s)"
        case .invalidNode(let node, let op, let reason):
            return "node \(node) (\(op)): \(reason)"
        }
    }
}
