import PerchDaemonCore
import PerchJSON
import PerchMedia
import PerchSystem

/// What the bridge asks of the running daemon: closures, so it follows reloads without
/// knowing the pipeline. Called on the MQTT thread, never under the bridge's lock.
public struct MQTTHooks: Sendable {
    /// Switch the rule `MODEL.LABEL` on/off; nil when there is no such rule.
    public var setRule: @Sendable (_ name: String, _ enabled: Bool) -> Bool?
    public var isRuleEnabled: @Sendable (_ name: String) -> Bool
    public var isActive: @Sendable (_ model: String, _ label: String) -> Bool
    /// Queue an inference of `model` now; false when it was refused (unknown model, full queue).
    public var infer: @Sendable (_ model: String) -> Bool
    /// Every model's latest scores.
    public var scores: @Sendable () -> [(model: String, labels: [String], scores: [Float])]

    public init(setRule: @escaping @Sendable (String, Bool) -> Bool?, isRuleEnabled: @escaping @Sendable (String) -> Bool,
                isActive: @escaping @Sendable (String, String) -> Bool, infer: @escaping @Sendable (String) -> Bool,
                scores: @escaping @Sendable () -> [(model: String, labels: [String], scores: [Float])]) {
        self.setRule = setRule
        self.isRuleEnabled = isRuleEnabled
        self.isActive = isActive
        self.infer = infer
        self.scores = scores
    }
}

/// perchd's MQTT side: one thread owns the libmosquitto client and drives it from its own
/// poll loop; everything else only fills the bounded `MQTTOutbox` and rings a bell. A
/// broker that is down or slow never blocks inference, rules, GPIO or the socket API.
public final class MQTTBridge: @unchecked Sendable {
    public let config: MQTTConfig
    public let topics: MQTTTopics
    let device: MQTTDevice
    let outbox: MQTTOutbox
    let hooks: MQTTHooks
    let wake = WakeBell()
    let client: MosquittoClient?
    let mutex = PthreadMutex()
    var plan = MQTTPlan(labels: [], models: [], snapshot: false)
    private var retained: Set<String> = []
    var status: MQTTStatus
    var stopping = false
    private var thread: Thread? = nil
    /// QoS 1 message ids not yet acknowledged → the event seq they carry (0: not an event).
    var inflight: [Int32: UInt64] = [:]
    var inferRequests: UInt64 = 0
    var pendingFrame: SnapshotFrame? = nil
    var framesReplaced: UInt64 = 0
    /// QoS 1 messages handed to libmosquitto at once: its own queue has no limit.
    static let maxInflight = 32

    public init(config: MQTTConfig, version: String, hooks: MQTTHooks) {
        self.config = config
        let id = config.deviceID ?? DeviceID.current()
        topics = MQTTTopics(prefix: config.topicPrefix, deviceID: id, discoveryPrefix: config.discoveryPrefix)
        device = MQTTDevice(id: id, name: config.deviceName ?? "Perch " + DeviceID.hostname, version: version)
        outbox = MQTTOutbox(eventCapacity: config.eventQueue)
        self.hooks = hooks
        status = MQTTStatus(broker: config.broker, state: "connecting")
        status.deviceID = id
        switch MQTTBridge.makeClient(config, topics: topics, id: id) {
        case .success(let c): client = c
        case .failure(let e):
            client = nil
            status.state = "failed"
            status.lastError = e.message
            Log.error("mqtt: " + e.message + "; perchd runs without MQTT")
        }
    }

    static func makeClient(_ config: MQTTConfig, topics: MQTTTopics, id: String) -> Result<MosquittoClient, MQTTError> {
        do throws(MQTTError) {
            let client = try MosquittoClient(clientID: config.clientID ?? "perch-" + id)
            try client.setWill(topic: topics.status, payload: Array("offline".utf8), retain: true)
            if let user = config.username {
                var password: String? = nil
                if let path = config.passwordFile {
                    do throws(Errno) {
                        let bytes = try Files.read(path)
                        password = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") },
                                          as: UTF8.self)
                    } catch {
                        throw MQTTError(code: -1, message: "cannot read password-file " + path + ": " + error.description)
                    }
                }
                try client.setCredentials(username: user, password: password)
            }
            if let ca = config.caFile {
                do throws(MQTTError) {
                    try client.setTLS(caFile: ca, certFile: config.certFile, keyFile: config.keyFile)
                } catch {
                    throw MQTTError(code: error.code, message: "TLS setup (ca-file " + ca + "): " + error.message)
                }
            }
            return .success(client)
        } catch {
            return .failure(error)
        }
    }

    public func start() throws(Errno) {
        guard client != nil else { return }
        let bridge = self
        thread = try Thread.spawn { bridge.run() }
    }

    /// Publishes `offline`, waits up to a second for what is in flight, disconnects.
    public func stop() {
        mutex.withLock { stopping = true }
        wake.signal()
        thread?.join()
        thread = nil
    }

    public var snapshot: MQTTStatus {
        let counts = outbox.counts
        return mutex.withLock {
            var s = status
            s.queued = counts.queued
            s.inflight = inflight.count
            s.eventsProduced = counts.eventsTotal
            s.eventsDropped += counts.eventsDropped
            s.snapshotsDropped = counts.snapshotsDropped + framesReplaced
            return s
        }
    }

    // MARK: inputs (any thread, quick)

    /// A new plan (start, reload): discovery and states for it; entities no longer in it
    /// get empty retained messages, which removes them from Home Assistant.
    public func update(plan new: MQTTPlan) {
        var topicsNow: [(String, [UInt8])] = []
        for entry in Discovery.entries(new, topics: topics, device: device) {
            topicsNow.append((entry.topic, entry.payload.encoded()))
        }
        for l in new.labels {
            topicsNow.append((topics.state(model: l.model, label: l.label),
                              Array((hooks.isActive(l.model, l.label) ? "ON" : "OFF").utf8)))
            if l.isRule {
                topicsNow.append((topics.ruleEnabled(model: l.model, label: l.label),
                                  Array((hooks.isRuleEnabled(l.name) ? "ON" : "OFF").utf8)))
            }
        }
        let names = Set(topicsNow.map { $0.0 })
        let gone = mutex.withLock { () -> [String] in
            plan = new
            let gone = retained.filter { !names.contains($0) }
            retained = names
            return gone.sorted()
        }
        for topic in gone { outbox.setState(topic, []) }
        for (topic, payload) in topicsNow { outbox.setState(topic, payload) }
        wake.signal()
    }

    /// An event from the bus: the label's ON/OFF state and the event itself, if published.
    public func handle(_ event: Event) {
        guard mutex.withLock({ plan.label(event.model, event.label) != nil }) else { return }
        outbox.setState(topics.state(model: event.model, label: event.label),
                        Array((event.state == .start ? "ON" : "OFF").utf8))
        let payload = JSONValue.object([("event_type", .string(event.state.description)), ("seq", .integer(Int64(event.seq))),
                                        ("score", .double(Double(event.score))), ("time_ms", .integer(event.time)),
                                        ("model", .string(event.model)), ("label", .string(event.label))])
        outbox.pushEvent(MQTTMessage(topic: topics.event(model: event.model, label: event.label),
                                     payload: payload.encoded(), retain: false, qos: 1, eventSeq: event.seq))
        wake.signal()
    }

    /// The camera frame that started `frame.event`: encoded to JPEG on the MQTT thread. At
    /// most one waits; a newer one replaces it (counted in snapshots_dropped).
    public func snapshot(_ frame: SnapshotFrame) {
        mutex.withLock {
            if pendingFrame != nil { framesReplaced += 1 }
            pendingFrame = frame
        }
        wake.signal()
    }

    /// Encodes the waiting frame, if any (MQTT thread).
    func encodePendingSnapshot(_ encoder: SnapshotEncoder) {
        guard let frame = mutex.withLock({ () -> SnapshotFrame? in
            defer { pendingFrame = nil }
            return pendingFrame
        }) else { return }
        if let jpeg = encoder.encode(frame) {
            publishSnapshot(jpeg: jpeg, width: frame.image.width, height: frame.image.height, event: frame.event)
        }
    }

    /// A JPEG of the frame that started event `seq`; at most one waits.
    func publishSnapshot(jpeg: [UInt8], width: Int, height: Int, event: Event) {
        let attributes = JSONValue.object([("seq", .integer(Int64(event.seq))), ("model", .string(event.model)),
                                           ("label", .string(event.label)), ("time_ms", .integer(event.time)),
                                           ("width", .integer(Int64(width))), ("height", .integer(Int64(height)))])
        outbox.setState(topics.snapshotAttributes, attributes.encoded())
        outbox.setSnapshot(MQTTMessage(topic: topics.snapshot, payload: jpeg, retain: true, qos: 1))
        wake.signal()
    }

    /// Whether a start event of `model.label` gets a snapshot.
    public func wantsSnapshot(_ event: Event) -> Bool {
        event.state == .start && mutex.withLock { plan.snapshot && plan.label(event.model, event.label) != nil }
    }
}

/// The MQTT thread's bell: other threads ring it when they queue something.
final class WakeBell: @unchecked Sendable {
    private let event: EventFD?
    let fd: Int32

    init() {
        do throws(Errno) {
            let e = try EventFD()
            fd = e.fd
            event = consume e
        } catch {
            Log.error("mqtt: eventfd: " + error.description + "; queued messages wait for the next poll tick")
            event = nil
            fd = -1
        }
    }

    func signal() { event?.signal() }
    func drain() { event?.drain() }
}
