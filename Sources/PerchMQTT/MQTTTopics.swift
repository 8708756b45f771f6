/// The topics perchd uses, all under `PREFIX/DEVICE-ID/` (see docs/mqtt.md).
public struct MQTTTopics: Equatable, Sendable {
    public let base: String
    public let discoveryPrefix: String
    public let deviceID: String

    public init(prefix: String, deviceID: String, discoveryPrefix: String) {
        self.base = prefix + "/" + deviceID
        self.discoveryPrefix = discoveryPrefix
        self.deviceID = deviceID
    }

    /// `online`/`offline`, retained; the will says `offline`.
    public var status: String { base + "/status" }
    /// `ON`/`OFF`, retained.
    public func state(model: String, label: String) -> String { base + "/" + slug(model) + "/" + slug(label) + "/state" }
    /// `{"event_type":"start",…}` per start and end, not retained.
    public func event(model: String, label: String) -> String { base + "/" + slug(model) + "/" + slug(label) + "/event" }
    /// `{"label":score,…}`, retained, at most every score-interval.
    public func scores(model: String) -> String { base + "/" + slug(model) + "/scores" }
    /// A rule's switch: `ON`/`OFF` retained state, and its command topic.
    public func ruleEnabled(model: String, label: String) -> String {
        base + "/" + slug(model) + "/" + slug(label) + "/enabled"
    }
    public func ruleCommand(model: String, label: String) -> String { ruleEnabled(model: model, label: label) + "/set" }
    /// An inference on request: the command topic, and the retained acknowledgement.
    public func infer(model: String) -> String { base + "/" + slug(model) + "/infer" }
    public func inferCommand(model: String) -> String { infer(model: model) + "/set" }
    /// The JPEG of the frame that started the last event, and its JSON attributes.
    public var snapshot: String { base + "/snapshot" }
    public var snapshotAttributes: String { base + "/snapshot/attributes" }
    /// Home Assistant's birth and will messages.
    public var homeAssistantStatus: String { discoveryPrefix + "/status" }

    /// `homeassistant/binary_sensor/DEVICE/OBJECT/config`
    public func discovery(_ component: String, _ objectID: String) -> String {
        discoveryPrefix + "/" + component + "/" + deviceID + "/" + objectID + "/config"
    }
}

/// A name as one topic level and id part: lower-case letters, digits and `_`; anything else
/// becomes `_` (`smoke alarm` → `smoke_alarm`).
public func slug(_ name: String) -> String {
    var out = ""
    for scalar in name.unicodeScalars {
        switch scalar.value {
        case 0x30...0x39, 0x61...0x7A, 0x5F: out.unicodeScalars.append(scalar)
        case 0x41...0x5A: out.unicodeScalars.append(Unicode.Scalar(scalar.value + 0x20)!)
        default: out += "_"
        }
    }
    return out.isEmpty ? "_" : out
}
