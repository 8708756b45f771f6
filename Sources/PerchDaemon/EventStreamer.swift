import CPerchSystem
import PerchDaemonCore
import PerchDevices
import PerchFrontends
import PerchHTTP
import PerchJSON
import PerchMedia
import PerchRuntime
import PerchServer
import PerchSystem

/// One GET /v1/events client: replays the ring after `since` (a gap line first when the ring
/// no longer holds what follows `since`), then forwards live events. Subscribed before the
/// replay so nothing published meanwhile is lost; live events already replayed are skipped.
/// `send` never blocks: a client that falls behind is cut off by the server's stream cap.
final class EventStreamer: @unchecked Sendable {
    let stream: ResponseStream
    let bus: EventBus
    private let mutex = PthreadMutex()
    private var replayed = false
    private var pending: [Event] = []
    private var lastSent: UInt64 = 0
    private var subscription: UInt64 = 0

    init(stream: ResponseStream, bus: EventBus) {
        self.stream = stream
        self.bus = bus
    }

    static func line(_ value: JSONValue) -> [UInt8] {
        var bytes = value.encoded()
        bytes.append(0x0A)
        return bytes
    }

    func start(since: UInt64?) {
        let streamer = self
        subscription = bus.subscribe { event in streamer.live(event) }
        let bus = self.bus
        let id = subscription
        stream.onClose { _ in bus.unsubscribe(id) }
        // A `since` beyond the newest seq was handed out by an earlier perchd (seq starts
        // again at 1 after a restart): everything of this one is new to the client.
        var since = since
        if let s = since, s > bus.lastSeq { since = 0 }
        mutex.withLock {
            lastSent = since ?? bus.lastSeq
            if let since {
                let replay = bus.replay(since: since)
                if let gap = replay.gap {
                    _ = stream.send(EventStreamer.line(.object([("gap", .object([("from", .integer(Int64(gap.from))),
                                                                                 ("to", .integer(Int64(gap.to)))]))])))
                }
                for event in replay.events where event.seq > lastSent { sendLocked(event) }
            }
            for event in pending where event.seq > lastSent { sendLocked(event) }
            pending = []
            replayed = true
        }
    }

    private func sendLocked(_ event: Event) {
        lastSent = event.seq
        _ = stream.send(EventStreamer.line(StatusJSON.event(event)))
    }

    private func live(_ event: Event) {
        mutex.withLock {
            if !replayed { pending.append(event); return }
            if event.seq > lastSent { sendLocked(event) }
        }
    }
}
