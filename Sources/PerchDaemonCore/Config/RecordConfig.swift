/// `[record]`: save camera frames and audio around events, or on demand, into the training
/// tool's dataset layout (tools/train/README.md "Dataset format").
public struct RecordConfig: Equatable, Sendable {
    /// The dataset directory: `labels.txt`, `train/NAME.wav|ppm`, `train/labels.csv`.
    public var directory: String
    /// Most bytes of recordings kept; the oldest are deleted first to stay under it.
    public var budgetBytes: Int = 100 * 1_048_576
    /// Rules (`MODEL.LABEL`) whose start events are recorded, labelled with the rule's label.
    public var events: [String] = []
    /// Whether `POST /v1/record` (and `perch record`) may record.
    public var onDemand: Bool = true
    /// Whole seconds of audio kept from before an event, and recorded after it.
    public var preSeconds: Int = 1
    public var postSeconds: Int = 1
    /// The sources recorded; nil: the first camera / the first microphone.
    public var camera: String? = nil
    public var microphone: String? = nil
    /// The model whose labels `labels.txt` lists; nil: the first model.
    public var model: String? = nil
    /// Recordings waiting for the writer before new ones are dropped (and counted).
    public var queue: Int = 8
    /// Longest on-demand recording, in seconds.
    public static let maxSeconds = 30

    public init(directory: String) { self.directory = directory }
}

extension BasicSections {
    static func record(_ reader: inout SectionReader) -> RecordConfig? {
        let directory = reader.required("directory", expected: "the dataset directory recordings go to", nonEmptyString)
        var record = RecordConfig(directory: directory ?? "")
        if let mb = reader.integer("budget-mb", in: 1...1_000_000) { record.budgetBytes = mb * 1_048_576 }
        if let events = reader.list("events") { record.events = events }
        if let onDemand = reader.boolean("on-demand") { record.onDemand = onDemand }
        if let pre = reader.integer("pre-seconds", in: 0...10) { record.preSeconds = pre }
        if let post = reader.integer("post-seconds", in: 0...RecordConfig.maxSeconds) { record.postSeconds = post }
        if record.preSeconds + record.postSeconds == 0, reader.section.entry("post-seconds") != nil {
            reader.report(key: "post-seconds", "pre-seconds + post-seconds must be at least 1")
        }
        record.camera = reader.string("camera")
        record.microphone = reader.string("microphone")
        record.model = reader.string("model")
        if let queue = reader.integer("queue", in: 1...256) { record.queue = queue }
        reader.finish()
        return directory == nil ? nil : record
    }
}
