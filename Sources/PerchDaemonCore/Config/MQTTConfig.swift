/// `[mqtt]`: publish states, events and Home Assistant discovery to an MQTT broker.
/// Present only when the section (or `--set mqtt.broker=…`) is given.
public struct MQTTConfig: Equatable, Sendable {
    public var host: String
    public var port: Int
    /// nil: `perch-` + the device id.
    public var clientID: String? = nil
    public var username: String? = nil
    /// A file whose first line is the password (kept out of the configuration file).
    public var passwordFile: String? = nil
    /// TLS is on when a CA file is given.
    public var caFile: String? = nil
    public var certFile: String? = nil
    public var keyFile: String? = nil
    public var topicPrefix = "perch"
    public var discoveryPrefix = "homeassistant"
    /// nil: derived from /etc/machine-id (hashed), else the hostname.
    public var deviceID: String? = nil
    /// nil: "Perch " + the hostname.
    public var deviceName: String? = nil
    /// `MODEL.LABEL` rules and `gpio.INPUT` event inputs to publish; nil: every rule and event input.
    public var labels: [String]? = nil
    public var snapshot = false
    /// Scores per model at most this often (0: never).
    public var scoreIntervalMilliseconds: Int64 = 10_000
    public var keepaliveSeconds = 30
    /// Events held while the broker is away; beyond it the oldest are dropped and counted.
    public var eventQueue = 256

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:1883`
    public var broker: String { (host.contains(":") ? "[" + host + "]" : host) + ":" + String(port) }
    public var tls: Bool { caFile != nil }
}

enum MQTTSection {
    static func read(_ reader: inout SectionReader) -> MQTTConfig? {
        let broker = reader.required("broker", expected: "HOST:PORT such as 127.0.0.1:1883", parseBroker)
        var mqtt = MQTTConfig(host: broker?.host ?? "", port: broker?.port ?? 1883)
        if let id = reader.value("client-id", expected: "1 to 23 letters, digits, - or _", clientID) { mqtt.clientID = id }
        if let user = reader.string("username") { mqtt.username = user }
        if let path = reader.value("password-file", expected: "an absolute path", absolutePath) { mqtt.passwordFile = path }
        if let path = reader.value("ca-file", expected: "an absolute path", absolutePath) { mqtt.caFile = path }
        if let path = reader.value("cert-file", expected: "an absolute path", absolutePath) { mqtt.certFile = path }
        if let path = reader.value("key-file", expected: "an absolute path", absolutePath) { mqtt.keyFile = path }
        if let prefix = reader.value("topic-prefix", expected: "topic levels without +, # or a leading /", topicPrefix) {
            mqtt.topicPrefix = prefix
        }
        if let prefix = reader.value("discovery-prefix", expected: "topic levels without +, # or a leading /", topicPrefix) {
            mqtt.discoveryPrefix = prefix
        }
        if let id = reader.value("device-id", expected: "letters, digits, - or _", topicWord) { mqtt.deviceID = id }
        if let name = reader.string("device-name") { mqtt.deviceName = name }
        if let labels = reader.list("labels") { mqtt.labels = labels }
        if let on = reader.choice("snapshot", [("on", true), ("off", false)]) { mqtt.snapshot = on }
        if let ms = reader.durationMilliseconds("score-interval") {
            if ms < 0 || (ms > 0 && ms < 1_000) {
                reader.report(key: "score-interval", "expected 0 (never) or at least 1s")
            } else {
                mqtt.scoreIntervalMilliseconds = ms
            }
        }
        if let seconds = reader.integer("keepalive", in: 5...3_600) { mqtt.keepaliveSeconds = seconds }
        if let events = reader.integer("event-queue", in: 1...65_536) { mqtt.eventQueue = events }
        if (mqtt.certFile == nil) != (mqtt.keyFile == nil) {
            reader.report(key: mqtt.certFile == nil ? "key-file" : "cert-file", "cert-file and key-file go together")
        }
        if mqtt.certFile != nil && mqtt.caFile == nil {
            reader.report(key: "cert-file", "a client certificate needs TLS: set ca-file too")
        }
        if mqtt.passwordFile != nil && mqtt.username == nil {
            reader.report(key: "password-file", "a password needs a username")
        }
        reader.finish()
        return broker == nil ? nil : mqtt
    }

    /// `host:port`, `[v6]:port`; the port is required so a typo cannot silently pick 1883.
    static func parseBroker(_ raw: String) -> (host: String, port: Int)? {
        guard let text = nonEmptyString(raw) else { return nil }
        var host: Substring
        var rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            rest = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            rest = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(" "), let port = Int(rest), (1...65_535).contains(port) else { return nil }
        return (String(host), port)
    }

    static func clientID(_ raw: String) -> String? {
        guard let text = topicWord(raw), text.utf8.count <= 23 else { return nil }
        return text
    }

    /// Letters, digits, `-`, `_`: safe as one topic level and as an id in Home Assistant.
    static func topicWord(_ raw: String) -> String? {
        guard let text = nonEmptyString(raw), text.utf8.count <= 64 else { return nil }
        for byte in text.utf8 where !isWordByte(byte) { return nil }
        return text
    }

    static func topicPrefix(_ raw: String) -> String? {
        guard let text = nonEmptyString(raw), !text.hasPrefix("/"), !text.hasSuffix("/") else { return nil }
        for byte in text.utf8 where byte == UInt8(ascii: "+") || byte == UInt8(ascii: "#") || byte <= 0x20 { return nil }
        return text
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }
}

extension Configuration {
    /// The `MODEL.LABEL` names MQTT publishes: `[mqtt] labels`, or every rule and event input.
    public var publishedLabels: [String] {
        if let labels = mqtt?.labels { return labels }
        return rules.map { $0.name } + gpioInputs.filter { $0.role == .event }.map { GpioInputConfig.eventModel + "." + $0.name }
    }
}
