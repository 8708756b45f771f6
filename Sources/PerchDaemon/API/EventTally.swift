import PerchDaemonCore
import PerchSystem

/// Events published per model, label and state, counted by an event-bus subscriber.
/// Its own object (not DaemonState's) because the bus keeps the subscribing closure: a
/// closure holding the state that holds the bus was a reference cycle, and the daemon's
/// whole state (pipeline, models, buffers) was never freed.
final class EventTally: @unchecked Sendable {
    private let mutex = PthreadMutex()
    private var counts: [String: UInt64] = [:]
    private var keys: [(model: String, label: String, state: String)] = []

    func count(_ event: Event) {
        let key = event.model + "\u{1}" + event.label + "\u{1}" + event.state.description
        mutex.withLock {
            if let n = counts[key] {
                counts[key] = n + 1
            } else {
                counts[key] = 1
                keys.append((event.model, event.label, event.state.description))
            }
        }
    }

    /// The totals in first-seen order.
    var totals: [(model: String, label: String, state: String, count: UInt64)] {
        mutex.withLock {
            keys.map { k in (k.model, k.label, k.state, counts[k.model + "\u{1}" + k.label + "\u{1}" + k.state] ?? 0) }
        }
    }
}
