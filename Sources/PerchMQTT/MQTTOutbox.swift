import PerchSystem

/// One message for the broker.
public struct MQTTMessage: Equatable, Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var retain: Bool
    public var qos: Int32
    /// The event's seq, for events: counted as delivered when the broker acknowledges it.
    public var eventSeq: UInt64?

    public init(topic: String, payload: [UInt8], retain: Bool, qos: Int32, eventSeq: UInt64? = nil) {
        self.topic = topic
        self.payload = payload
        self.retain = retain
        self.qos = qos
        self.eventSeq = eventSeq
    }
}

/// What waits for the MQTT thread, bounded whatever the broker does (libmosquitto's own
/// QoS 1 queue has no limit, so nothing reaches it faster than it is acknowledged):
/// - retained states: the latest value per topic, each sent once per change and all of
///   them again after every (re)connect, since a restarted broker may have lost them;
/// - events: a FIFO of at most `eventCapacity`; when full, the oldest is dropped and counted;
/// - a snapshot: at most one; a newer one replaces it (counted as dropped).
/// Safe from any thread.
public final class MQTTOutbox: @unchecked Sendable {
    public let eventCapacity: Int
    private let mutex = PthreadMutex()
    private var states: [String: MQTTMessage] = [:]
    /// Topics in first-set order (discovery before the states it names).
    private var stateOrder: [String] = []
    private var dirty: Set<String> = []
    private var events: [MQTTMessage] = []
    private var eventHead = 0
    private var snapshot: MQTTMessage? = nil
    private var eventsDropped: UInt64 = 0
    private var snapshotsDropped: UInt64 = 0
    private var eventsQueuedTotal: UInt64 = 0

    public init(eventCapacity: Int) {
        precondition(eventCapacity > 0)
        self.eventCapacity = eventCapacity
    }

    /// Sets a retained topic's value; an unchanged value is not sent again. An empty payload
    /// clears the retained message on the broker and is then forgotten.
    public func setState(_ topic: String, _ payload: [UInt8], qos: Int32 = 1) {
        mutex.withLock {
            if let old = states[topic], old.payload == payload, old.qos == qos { return }
            if states[topic] == nil { stateOrder.append(topic) }
            states[topic] = MQTTMessage(topic: topic, payload: payload, retain: true, qos: qos)
            dirty.insert(topic)
        }
    }

    public func state(_ topic: String) -> [UInt8]? { mutex.withLock { states[topic]?.payload } }

    /// Topics set and not cleared, in first-set order.
    public var stateTopics: [String] { mutex.withLock { stateOrder } }

    /// Every retained state goes out again (after a connect, or when Home Assistant restarts).
    public func markAllStatesDirty() {
        mutex.withLock { for topic in stateOrder { dirty.insert(topic) } }
    }

    /// Queues an event; returns false when the queue was full and the oldest was dropped.
    @discardableResult
    public func pushEvent(_ message: MQTTMessage) -> Bool {
        mutex.withLock {
            eventsQueuedTotal += 1
            var room = true
            if events.count - eventHead >= eventCapacity {
                eventHead += 1
                eventsDropped += 1
                room = false
            }
            events.append(message)
            compact()
            return room
        }
    }

    /// Holds `message` as the one pending snapshot.
    public func setSnapshot(_ message: MQTTMessage) {
        mutex.withLock {
            if snapshot != nil { snapshotsDropped += 1 }
            snapshot = message
        }
    }

    /// Takes up to `limit` messages: changed states first (in first-set order), then events
    /// oldest first, then the snapshot.
    public func take(limit: Int) -> [MQTTMessage] {
        mutex.withLock {
            var out: [MQTTMessage] = []
            if !dirty.isEmpty {
                for topic in stateOrder where dirty.contains(topic) {
                    guard out.count < limit, let message = states[topic] else { break }
                    out.append(message)
                    dirty.remove(topic)
                }
                // A cleared topic is gone from the broker once sent: forget it.
                let sentEmpty = out.filter { $0.payload.isEmpty && !dirty.contains($0.topic) }.map { $0.topic }
                if !sentEmpty.isEmpty {
                    for topic in sentEmpty { states[topic] = nil }
                    stateOrder.removeAll { states[$0] == nil }
                }
            }
            while out.count < limit && eventHead < events.count {
                out.append(events[eventHead])
                eventHead += 1
            }
            compact()
            if out.count < limit, let s = snapshot {
                out.append(s)
                snapshot = nil
            }
            return out
        }
    }

    /// Puts events taken but not handed to the client back in front (the connection went
    /// away before they could be sent), keeping their order.
    public func returnEvents(_ messages: [MQTTMessage]) {
        guard !messages.isEmpty else { return }
        mutex.withLock {
            events = messages + Array(events[eventHead...])
            eventHead = 0
            while events.count > eventCapacity {
                events.removeFirst()
                eventsDropped += 1
            }
        }
    }

    private func compact() {
        if eventHead > 64 && eventHead * 2 > events.count {
            events.removeFirst(eventHead)
            eventHead = 0
        }
    }

    public struct Counts: Equatable, Sendable {
        /// Messages waiting: changed states, events, snapshot.
        public var queued: Int
        public var eventsQueued: Int
        public var eventsDropped: UInt64
        public var snapshotsDropped: UInt64
        /// Events ever pushed.
        public var eventsTotal: UInt64
    }

    public var counts: Counts {
        mutex.withLock {
            let pendingEvents = events.count - eventHead
            return Counts(queued: dirty.count + pendingEvents + (snapshot == nil ? 0 : 1), eventsQueued: pendingEvents,
                          eventsDropped: eventsDropped, snapshotsDropped: snapshotsDropped, eventsTotal: eventsQueuedTotal)
        }
    }

    /// Counts every event still waiting as dropped (at shutdown: never lost silently).
    public func dropPendingEvents() -> Int {
        mutex.withLock {
            let n = events.count - eventHead
            eventsDropped += UInt64(n)
            events = []
            eventHead = 0
            return n
        }
    }
}
