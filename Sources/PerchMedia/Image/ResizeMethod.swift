/// How an image is scaled to a model's input size. The raw value is the name a configuration's
/// `resize` key takes (`[model] resize = area`).
public enum ResizeMethod: String, Equatable, Sendable, CaseIterable {
    /// Area averaging when shrinking by 2x or more in both directions, bilinear otherwise.
    case auto
    case bilinear
    case area

    public var description: String { rawValue }
}
