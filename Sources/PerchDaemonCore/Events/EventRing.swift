/// The last `capacity` events, oldest overwritten first. Not thread-safe: `EventBus` locks it.
public struct EventRing: Sendable {
    public let capacity: Int
    private var storage: [Event] = []
    /// Index in `storage` of the oldest event once the ring is full.
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "EventRing needs room for at least one event")
        self.capacity = capacity
        storage.reserveCapacity(capacity)
    }

    public var count: Int { storage.count }

    /// Events must arrive in seq order, one seq apart.
    public mutating func append(_ event: Event) {
        if storage.count < capacity {
            storage.append(event)
        } else {
            storage[head] = event
            head = (head + 1) % capacity
        }
    }

    /// Oldest first.
    public var events: [Event] {
        Array(storage[head...]) + Array(storage[..<head])
    }

    /// The events after `seq`. When some of those are no longer held, the replay starts with
    /// a gap naming them. A `seq` beyond the newest event is from before a daemon restart
    /// (seq starts again at 1), so it replays everything held.
    public func replay(since seq: UInt64) -> EventReplay {
        let held = events
        guard let oldest = held.first?.seq, let newest = held.last?.seq else {
            return EventReplay(gap: nil, events: [])
        }
        let since = seq > newest ? 0 : seq
        if since + 1 < oldest {
            return EventReplay(gap: EventGap(from: since + 1, to: oldest - 1), events: held)
        }
        return EventReplay(gap: nil, events: held.filter { $0.seq > since })
    }
}
