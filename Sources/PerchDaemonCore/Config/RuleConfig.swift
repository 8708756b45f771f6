/// `[rule MODEL.LABEL]`: when a label's score becomes an event.
public struct RuleConfig: Equatable, Sendable {
    public var model: String
    public var label: String
    /// Start when the moving average is at least `on`...
    public var on: Float
    /// ...and end when it falls below `off` (hysteresis: off <= on).
    public var off: Float
    /// Consecutive inferences at or above `on` needed to start.
    public var hits: Int = 1
    /// Quiet time after an end before a new start may happen.
    public var refractoryMilliseconds: Int64 = 0
    /// Inferences averaged.
    public var window: Int = 1

    public init(model: String, label: String, on: Float, off: Float) {
        self.model = model
        self.label = label
        self.on = on
        self.off = off
    }

    /// `person.person`: how actions and the summary name the rule.
    public var name: String { model + "." + label }
}
