/// A vector of floats with a name per element, e.g. per-modality attribution
/// `[image: 0.7, audio: 0.3]`.
public struct NamedVector: Equatable, Sendable {
    public var names: [String]
    public var values: [Float]

    public init(names: [String], values: [Float]) {
        self.names = names
        self.values = values
    }

    public func value(_ name: String) -> Float? {
        guard let i = names.firstIndex(of: name), i < values.count else { return nil }
        return values[i]
    }
}

/// What the API reports about one model: its latest scores and how it is keeping up.
public struct ModelResults: Equatable, Sendable {
    public var model: String
    public var labels: [String]
    /// Latest dequantized score per label, same order as `labels`; empty before the first inference.
    public var scores: [Float] = []
    public var attribution: NamedVector? = nil
    /// Unix ms of the latest inference; nil before the first.
    public var time: Int64? = nil
    /// Duration of the latest inference.
    public var inferenceMicroseconds: Int64 = 0
    public var inferences: UInt64 = 0
    /// Frames dropped because inference fell behind the source.
    public var droppedFrames: UInt64 = 0
    /// The latest inference used a camera frame that is stale (FrameFreshness).
    public var stale = false

    public init(model: String, labels: [String]) {
        self.model = model
        self.labels = labels
    }

    public func score(_ label: String) -> Float? {
        guard let i = labels.firstIndex(of: label), i < scores.count else { return nil }
        return scores[i]
    }
}
