import PerchSystem

/// Runs every configured rule over model results and turns GPIO-input changes into events;
/// both publish on the same `EventBus`. Safe to call from the inference threads.
public final class RuleEngine: @unchecked Sendable {
    public let bus: EventBus
    private let lock = PthreadMutex()
    /// Per model, its rules in configuration order.
    private var rules: [String: [LabelRule]] = [:]
    private var gpioActive: [String: Bool] = [:]
    /// Rules switched off (by name, `MODEL.LABEL`): they see no scores until switched on.
    private var disabled: Set<String> = []

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
            for i in modelRules.indices where !disabled.contains(modelRules[i].config.name) {
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

    /// Switches the rule `name` (`MODEL.LABEL`) on or off. Switching off a rule in an episode
    /// ends it (an end event with its last average), so ON never outlives the rule. Returns
    /// nil when no rule has that name.
    public func setEnabled(_ name: String, _ enabled: Bool, time: Int64) -> (changed: Bool, end: Event?)? {
        let outcome = lock.withLock { () -> (changed: Bool, end: (model: String, label: String, score: Float)?)? in
            guard let model = rules.first(where: { $0.value.contains { $0.config.name == name } })?.key,
                  var modelRules = rules[model], let i = modelRules.firstIndex(where: { $0.config.name == name })
            else { return nil }
            let wasEnabled = !disabled.contains(name)
            guard wasEnabled != enabled else { return (false, nil) }
            if enabled {
                disabled.remove(name)
                return (true, nil)
            }
            disabled.insert(name)
            let rule = modelRules[i]
            modelRules[i] = LabelRule(rule.config)  // starts afresh when switched on again
            rules[model] = modelRules
            return (true, rule.isActive ? (model, rule.config.label, rule.average) : nil)
        }
        guard let outcome else { return nil }
        let end = outcome.end.map { bus.publish(time: time, model: $0.model, label: $0.label, state: .end, score: $0.score) }
        return (outcome.changed, end)
    }

    /// Whether the rule `name` (`MODEL.LABEL`) is switched on.
    public func isEnabled(_ name: String) -> Bool { lock.withLock { !disabled.contains(name) } }

    /// Whether `model.label`'s rule is in an episode now.
    public func isActive(model: String, label: String) -> Bool {
        lock.withLock { rules[model]?.first { $0.config.label == label }?.isActive ?? false }
    }

    /// `model.label`'s current moving average, for the results API.
    public func average(model: String, label: String) -> Float? {
        lock.withLock { rules[model]?.first { $0.config.label == label }?.average }
    }
}
