import PerchSystem

/// Runs every configured rule over model results and turns GPIO-input changes into events;
/// both publish on the same `EventBus`. Safe to call from the inference threads.
public final class RuleEngine: @unchecked Sendable {
    public let bus: EventBus
    private let lock = PthreadMutex()
    /// Per model, its rules in configuration order.
    private var rules: [String: [LabelRule]] = [:]
    private var gpioActive: [String: Bool] = [:]

    public init(rules configs: [RuleConfig], bus: EventBus) {
        self.bus = bus
        for config in configs { rules[config.model, default: []].append(LabelRule(config)) }
    }

    /// Feeds one inference of `model`: `scores[i]` belongs to `labels[i]`. Labels without a
    /// rule are ignored; a rule whose label is missing from `labels` sees nothing.
    /// Returns the events published, in seq order.
    @discardableResult
    public func process(model: String, labels: [String], scores: [Float], time: Int64) -> [Event] {
        let changes = lock.withLock { () -> [(label: String, state: EventState, score: Float)] in
            guard var modelRules = rules[model] else { return [] }
            var changes: [(label: String, state: EventState, score: Float)] = []
            for i in modelRules.indices {
                let label = modelRules[i].config.label
                guard let index = labels.firstIndex(of: label), index < scores.count else { continue }
                if let change = modelRules[i].update(score: scores[index], time: time) {
                    changes.append((label, change.state, change.score))
                }
            }
            rules[model] = modelRules
            return changes
        }
        // Published outside the rule lock: subscribers may take their time without stalling
        // other models' inference threads.
        return changes.map { bus.publish(time: time, model: model, label: $0.label, state: $0.state, score: $0.score) }
    }

    /// An event-mode GPIO input became active or inactive: a start or end event with model
    /// `gpio` and the input's name as label. Repeated levels raise nothing.
    @discardableResult
    public func gpioInput(name: String, active: Bool, time: Int64) -> Event? {
        let changed = lock.withLock { () -> Bool in
            guard gpioActive[name, default: false] != active else { return false }
            gpioActive[name] = active
            return true
        }
        guard changed else { return nil }
        return bus.publish(time: time, model: GpioInputConfig.eventModel, label: name,
                           state: active ? .start : .end, score: active ? 1 : 0)
    }

    /// Whether `model.label`'s rule is in an episode now.
    public func isActive(model: String, label: String) -> Bool {
        lock.withLock { rules[model]?.first { $0.config.label == label }?.isActive ?? false }
    }

    /// `model.label`'s current moving average, for the results API.
    public func average(model: String, label: String) -> Float? {
        lock.withLock { rules[model]?.first { $0.config.label == label }?.average }
    }
}
