import PerchJSON

/// The device every entity belongs to in Home Assistant.
public struct MQTTDevice: Equatable, Sendable {
    public var id: String
    public var name: String
    public var version: String

    public init(id: String, name: String, version: String) {
        self.id = id
        self.name = name
        self.version = version
    }
}

/// Home Assistant MQTT discovery: one retained config message per entity, all naming the
/// same device and perchd's availability topic. An entity that leaves the plan gets an
/// empty retained config, which removes it.
public enum Discovery {
    public struct Entry: Equatable, Sendable {
        public var topic: String
        public var payload: JSONValue
    }

    public static func entries(_ plan: MQTTPlan, topics: MQTTTopics, device: MQTTDevice) -> [Entry] {
        let id = "perch_" + device.id
        let common: [(String, JSONValue)] = [
            ("availability_topic", .string(topics.status)),
            ("payload_available", .string("online")), ("payload_not_available", .string("offline")),
            ("device", .object([("identifiers", .array([.string(id)])), ("name", .string(device.name)),
                                ("manufacturer", .string("Perch")), ("model", .string("perchd")),
                                ("sw_version", .string(device.version))])),
            ("origin", .object([("name", .string("perchd")), ("sw_version", .string(device.version))])),
        ]
        func entry(_ component: String, _ object: String, _ members: [(String, JSONValue)]) -> Entry {
            Entry(topic: topics.discovery(component, object),
                  payload: .object(members + [("unique_id", .string(id + "_" + component + "_" + object))]
                                   + common))
        }
        var out: [Entry] = []
        for l in plan.labels {
            let object = slug(l.model) + "_" + slug(l.label)
            var sensor: [(String, JSONValue)] = [("name", .string(l.model == "gpio" ? l.label : l.label + " (" + l.model + ")")),
                                                 ("state_topic", .string(topics.state(model: l.model, label: l.label))),
                                                 ("payload_on", .string("ON")), ("payload_off", .string("OFF"))]
            if let dc = l.model == "gpio" ? nil : deviceClass(for: l.label) { sensor.append(("device_class", .string(dc))) }
            out.append(entry("binary_sensor", object, sensor))
            out.append(entry("event", object, [
                ("name", .string(l.label + " event")),
                ("state_topic", .string(topics.event(model: l.model, label: l.label))),
                ("event_types", .array([.string("start"), .string("end")])),
            ]))
            if l.isRule {
                out.append(entry("switch", object + "_rule", [
                    ("name", .string(l.label + " rule")),
                    ("state_topic", .string(topics.ruleEnabled(model: l.model, label: l.label))),
                    ("command_topic", .string(topics.ruleCommand(model: l.model, label: l.label))),
                    ("payload_on", .string("ON")), ("payload_off", .string("OFF")),
                    ("entity_category", .string("config")),
                ]))
            }
        }
        for model in plan.models {
            for label in model.labels {
                out.append(entry("sensor", slug(model.name) + "_" + slug(label) + "_score", [
                    ("name", .string(label + " score (" + model.name + ")")),
                    ("state_topic", .string(topics.scores(model: model.name))),
                    ("value_template", .string("{{ value_json['" + label + "'] }}")),
                    ("entity_category", .string("diagnostic")), ("enabled_by_default", .bool(false)),
                    ("state_class", .string("measurement")),
                ]))
            }
            out.append(entry("button", slug(model.name) + "_infer", [
                ("name", .string("infer now (" + model.name + ")")),
                ("command_topic", .string(topics.inferCommand(model: model.name))),
                ("payload_press", .string("PRESS")),
            ]))
        }
        if plan.snapshot {
            out.append(entry("image", "snapshot", [
                ("name", .string("snapshot")), ("image_topic", .string(topics.snapshot)),
                ("content_type", .string("image/jpeg")),
                ("json_attributes_topic", .string(topics.snapshotAttributes)),
            ]))
        }
        return out
    }
}
