import PerchMedia

/// Which part of a camera frame a model sees.
public enum CropRegion: Equatable, Sendable {
    /// The largest centred region with the model input's aspect ratio.
    case centre
    /// The whole frame, stretched to the model input.
    case full
    /// A centred region of this size.
    case size(width: Int, height: Int)
    /// An explicit rectangle.
    case rectangle(x: Int, y: Int, width: Int, height: Int)

    public var description: String {
        switch self {
        case .centre: return "centre"
        case .full: return "full"
        case .size(let w, let h): return String(w) + "x" + String(h)
        case .rectangle(let x, let y, let w, let h):
            return String(x) + "," + String(y) + "," + String(w) + "," + String(h)
        }
    }
}

/// How 8-bit pixels map to the float range the model was trained on, before quantization.
public enum Normalization: String, Equatable, Sendable, CaseIterable {
    /// [0, 1]
    case unit
    /// [-1, 1]
    case symmetric
    /// pixel - 128, as int8 directly
    case minus128

    public var description: String { rawValue }
}

/// Labels inline in the configuration, or one per line in a file.
public enum LabelSource: Equatable, Sendable {
    case inline([String])
    case file(path: String)
}

/// `input.N = SOURCE`: the source feeding the model's input tensor N.
public struct ModelInput: Equatable, Sendable {
    public var index: Int
    public var source: String

    public init(index: Int, source: String) {
        self.index = index
        self.source = source
    }
}

/// An optional second output carrying how much each modality contributed, e.g. [1, 2]
/// image/audio attention mass.
public struct AttributionConfig: Equatable, Sendable {
    public var output: Int
    public var names: [String]

    public init(output: Int, names: [String]) {
        self.output = output
        self.names = names
    }
}

/// `[model NAME]`.
public struct ModelConfig: Equatable, Sendable {
    public var name: String
    public var file: String
    /// Sorted by index, contiguous from 0.
    public var inputs: [ModelInput]
    public var crop: CropRegion = .centre
    public var resize: ResizeMethod = .auto
    public var normalize: Normalization = .unit
    /// Feature frames per audio inference; nil takes the model input's length.
    public var audioWindow: Int? = nil
    public var labelSource: LabelSource
    /// The labels once known: inline ones at once, a file's after `resolveLabelFiles`.
    public var labels: [String]?
    /// Output tensor holding the per-label scores.
    public var scoresOutput: Int = 0
    public var attribution: AttributionConfig? = nil
    /// Inferences per second.
    public var rate: Double = 1
    public var threads: Int = 1
    /// `metadata.json` beside the model, when there is one: the defaults above came from it,
    /// and the loaded model's tensors are checked against it.
    public var metadata: ModelMetadata? = nil
    /// Labels that come from the audio alone: they keep working while the camera frame is
    /// stale (FrameFreshness); the model's other labels are held off then.
    public var audioLabels: [String] = []

    public init(name: String, file: String, inputs: [ModelInput], labelSource: LabelSource) {
        self.name = name
        self.file = file
        self.inputs = inputs
        self.labelSource = labelSource
        if case .inline(let list) = labelSource { labels = list } else { labels = nil }
    }
}
