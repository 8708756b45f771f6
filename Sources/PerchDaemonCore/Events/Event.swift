/// Whether an event opens or closes an episode (a person appears / leaves).
public enum EventState: Equatable, Sendable {
    case start, end

    public var description: String { self == .start ? "start" : "end" }
}

/// One event, as clients and GPIO actions see it. `seq` increases by one per event across
/// all models and GPIO inputs, so clients can ask for what they missed.
public struct Event: Equatable, Sendable {
    public var seq: UInt64
    /// Milliseconds since the Unix epoch.
    public var time: Int64
    public var model: String
    public var label: String
    public var state: EventState
    /// The moving-average score that crossed the threshold (1 or 0 for GPIO inputs).
    public var score: Float

    public init(seq: UInt64, time: Int64, model: String, label: String, state: EventState, score: Float) {
        self.seq = seq
        self.time = time
        self.model = model
        self.label = label
        self.state = state
        self.score = score
    }

    /// `#12 1700000000123 person.person start 0.82`, for logs.
    public var description: String {
        "#" + String(seq) + " " + String(time) + " " + model + "." + label + " " + state.description + " "
            + String(score)
    }
}

/// Events a client missed and that the ring no longer holds: seq `from` through `to`.
public struct EventGap: Equatable, Sendable {
    public var from: UInt64
    public var to: UInt64

    public init(from: UInt64, to: UInt64) {
        self.from = from
        self.to = to
    }
}

/// What `replay(since:)` returns: a gap first when events were lost, then the held events.
public struct EventReplay: Equatable, Sendable {
    public var gap: EventGap?
    public var events: [Event]

    public init(gap: EventGap?, events: [Event]) {
        self.gap = gap
        self.events = events
    }
}
