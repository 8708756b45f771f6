import PerchDaemonCore
import PerchJSON
import PerchServer
import PerchSystem

/// One GET /v1/events client: replays the ring after `since` (a gap line first when the ring
/// no longer holds what follows `since`), then forwards live events. Subscribed before the
/// replay so nothing published meanwhile is lost; live events already replayed are skipped.
/// A client naming another daemon's instance (it saw a perchd that has since restarted)
/// first gets a reset line, then this daemon's ring from its first held event.
/// `send` never blocks: a client that falls behind is cut off by the server's stream cap.
final class EventStreamer: @unchecked Sendable {
    let stream: ResponseStream
    let bus: EventBus
    /// This daemon's instance id, carried by every event line.
    let instance: String
    private let mutex = PthreadMutex()
    private var replayed = false
    private var pending: [Event] = []
    private var lastSent: UInt64 = 0
    private var subscription: UInt64 = 0

    init(stream: ResponseStream, bus: EventBus, instance: String) {
        self.stream = stream
        self.bus = bus
        self.instance = instance
    }

    static func line(_ value: JSONValue) -> [UInt8] {
        var bytes = value.encoded()
        bytes.append(0x0A)
        return bytes
    }

    /// `since`: the last seq the client saw (nil: only new events). `clientInstance`: the
    /// instance that seq came from, when the client knows it.
    func start(since: UInt64?, clientInstance: String?) {
        let streamer = self
        subscription = bus.subscribe { event in streamer.live(event) }
        let bus = self.bus
        let id = subscription
        stream.onClose { _ in bus.unsubscribe(id) }
        let restarted = clientInstance.map { $0 != instance } ?? false
        var since = since
        // Without an instance, a `since` beyond the newest seq can only come from an earlier
        // perchd (seq starts again at 1 after a restart): everything of this one is new to it.
        if clientInstance == nil, let s = since, s > bus.lastSeq { since = 0 }
        mutex.withLock {
            if restarted {
                // As a new client: everything the ring holds, announced by where it starts.
                let replay = bus.replay(since: 0)
                let first = replay.events.first?.seq ?? (bus.lastSeq + 1)
                _ = stream.send(EventStreamer.line(.object([("reset", .object([("instance", .string(instance)),
                                                                               ("first_seq", .integer(Int64(first)))]))])))
                lastSent = first - 1
                for event in replay.events where event.seq > lastSent { sendLocked(event) }
            } else {
                lastSent = since ?? bus.lastSeq
                if let since {
                    let replay = bus.replay(since: since)
                    if let gap = replay.gap {
                        _ = stream.send(EventStreamer.line(.object([("gap", .object([("from", .integer(Int64(gap.from))),
                                                                                     ("to", .integer(Int64(gap.to)))]))])))
                    }
                    for event in replay.events where event.seq > lastSent { sendLocked(event) }
                }
            }
            for event in pending where event.seq > lastSent { sendLocked(event) }
            pending = []
            replayed = true
        }
    }

    private func sendLocked(_ event: Event) {
        lastSent = event.seq
        _ = stream.send(EventStreamer.line(StatusJSON.event(event, instance: instance)))
    }

    private func live(_ event: Event) {
        mutex.withLock {
            if !replayed { pending.append(event); return }
            if event.seq > lastSent { sendLocked(event) }
        }
    }
}
