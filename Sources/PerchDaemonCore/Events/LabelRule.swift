/// One label's rule as a state machine over its scores, one call per inference:
///
/// 1. moving average over the last `window` scores (fewer while the window fills);
/// 2. while idle, count consecutive averages >= `on`; at `hits` of them, start —
///    unless the refractory period after the last end is still running, in which case
///    the start happens at the first inference after it (if the streak still holds);
/// 3. while active, end at the first average < `off`.
public struct LabelRule: Sendable {
    public let config: RuleConfig
    private var recent: [Float] = []
    private var next = 0
    private var streak = 0
    public private(set) var isActive = false
    public private(set) var average: Float = 0
    private var lastEnd: Int64? = nil

    public init(_ config: RuleConfig) {
        self.config = config
        recent.reserveCapacity(config.window)
    }

    /// Feeds one inference's score at `time` (ms); returns the event it causes, if any,
    /// with the average that caused it.
    public mutating func update(score: Float, time: Int64) -> (state: EventState, score: Float)? {
        if recent.count < config.window {
            recent.append(score)
        } else {
            recent[next] = score
            next = (next + 1) % config.window
        }
        // Summed afresh each time: windows are short, and a running sum would drift.
        var sum: Float = 0
        for value in recent { sum += value }
        average = sum / Float(recent.count)

        if isActive {
            guard average < config.off else { return nil }
            isActive = false
            streak = 0
            lastEnd = time
            return (.end, average)
        }
        streak = average >= config.on ? streak + 1 : 0
        guard streak >= config.hits else { return nil }
        if let lastEnd, time - lastEnd < config.refractoryMilliseconds { return nil }
        isActive = true
        return (.start, average)
    }
}
