/// What one configuration publishes: built by the daemon on start and on every reload.
public struct MQTTPlan: Equatable, Sendable {
    public struct Label: Equatable, Sendable {
        public var model: String
        public var label: String
        /// Whether a rule makes it (a switch turns it on and off); GPIO inputs have none.
        public var isRule: Bool

        public init(model: String, label: String, isRule: Bool) {
            self.model = model
            self.label = label
            self.isRule = isRule
        }

        public var name: String { model + "." + label }
    }

    public struct Model: Equatable, Sendable {
        public var name: String
        public var labels: [String]

        public init(name: String, labels: [String]) {
            self.name = name
            self.labels = labels
        }
    }

    public var labels: [Label]
    public var models: [Model]
    /// A camera frame goes out with each start event (`[mqtt] snapshot = on` and a camera).
    public var snapshot: Bool

    public init(labels: [Label], models: [Model], snapshot: Bool) {
        self.labels = labels
        self.models = models
        self.snapshot = snapshot
    }

    public func label(_ model: String, _ label: String) -> Label? {
        labels.first { $0.model == model && $0.label == label }
    }
}

/// Home Assistant's `device_class` for a label, from its words; nil when none fits.
public func deviceClass(for label: String) -> String? {
    let l = slug(label)
    func has(_ word: String) -> Bool { l.utf8Contains(word) }
    if has("smoke") || has("fire") { return "smoke" }
    if has("doorbell") || has("speech") || has("knock") || has("sound") || has("voice") || has("bark") { return "sound" }
    if has("door") || has("window") || has("gate") { return "door" }
    if has("person") || has("visitor") || has("people") || has("occupan") { return "occupancy" }
    if has("light") { return "light" }
    if has("glass") || has("break") || has("alarm") || has("intru") { return "safety" }
    if has("problem") || has("fault") || has("leak") { return "problem" }
    return nil
}

extension String {
    /// Byte-wise substring test (Embedded Swift has no String.contains(String)).
    func utf8Contains(_ needle: String) -> Bool {
        let h = Array(utf8), n = Array(needle.utf8)
        guard !n.isEmpty, n.count <= h.count else { return n.isEmpty }
        for start in 0...(h.count - n.count) where h[start] == n[0] {
            if Array(h[start..<(start + n.count)]) == n { return true }
        }
        return false
    }
}
