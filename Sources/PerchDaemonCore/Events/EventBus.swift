import PerchSystem

/// The one path every event takes: it is numbered, kept in the ring for replay, and handed
/// to subscribers (the socket layer, GPIO actions). Safe to call from any thread.
public final class EventBus: @unchecked Sendable {
    public typealias Subscriber = (Event) -> Void

    private let state = PthreadMutex()
    /// Held while subscribers run, so every subscriber sees events in seq order even when
    /// two inference threads publish at once.
    private let delivery = PthreadMutex()
    private var ring: EventRing
    private var nextSeq: UInt64 = 1
    private var subscribers: [(id: UInt64, callback: Subscriber)] = []
    private var nextSubscriber: UInt64 = 1

    public init(capacity: Int) {
        ring = EventRing(capacity: capacity)
    }

    /// Numbers, stores and delivers an event; returns it with its seq.
    /// Subscribers run on the publishing thread and must be quick (queue or signal, never
    /// block); they may call `replay` and `lastSeq` but must not publish.
    @discardableResult
    public func publish(time: Int64, model: String, label: String, state eventState: EventState, score: Float) -> Event {
        delivery.lock()
        defer { delivery.unlock() }
        let (event, callbacks) = state.withLock { () -> (Event, [Subscriber]) in
            let event = Event(seq: nextSeq, time: time, model: model, label: label, state: eventState, score: score)
            nextSeq += 1
            ring.append(event)
            return (event, subscribers.map { $0.callback })
        }
        for callback in callbacks { callback(event) }
        return event
    }

    /// Events after `seq`, with a gap first when the ring no longer holds some of them.
    public func replay(since seq: UInt64) -> EventReplay {
        state.withLock { ring.replay(since: seq) }
    }

    /// The seq of the newest event, 0 before the first.
    public var lastSeq: UInt64 { state.withLock { nextSeq - 1 } }

    /// Registers `callback` for every event published from now on; returns its id.
    public func subscribe(_ callback: @escaping Subscriber) -> UInt64 {
        state.withLock {
            let id = nextSubscriber
            nextSubscriber += 1
            subscribers.append((id, callback))
            return id
        }
    }

    public func unsubscribe(_ id: UInt64) {
        state.withLock { subscribers.removeAll { $0.id == id } }
    }
}
