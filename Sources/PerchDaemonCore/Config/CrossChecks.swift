/// Checks between sections, once each section is valid on its own: names that refer to
/// other sections, and GPIO lines claimed twice.
struct CrossChecks {
    let configuration: Configuration
    let document: ConfigDocument
    private(set) var diagnostics: [ConfigDiagnostic] = []

    init(_ configuration: Configuration, _ document: ConfigDocument) {
        self.configuration = configuration
        self.document = document
    }

    private func section(_ kind: String, _ name: String?) -> ConfigSection? {
        document.sections.first { $0.kind == kind && $0.name == name }
    }

    private mutating func report(_ kind: String, _ name: String?, key: String?, _ message: String) {
        guard let section = section(kind, name) else { return }
        let origin = key.flatMap { section.entry($0)?.origin } ?? section.origin
        diagnostics.append(ConfigDiagnostic(origin: origin, section: section.header, key: key, message: message))
    }

    mutating func run() {
        checkSourceNames()
        checkModelInputs()
        checkRules()
        checkGpio()
        checkMQTT()
        checkRecord()
    }

    /// `[record]`'s rules, sources and model must exist; something must be recorded.
    private mutating func checkRecord() {
        guard let record = configuration.record else { return }
        let rules = declared("rule")
        for rule in record.events where !rules.contains(rule) {
            report("record", nil, key: "events", "unknown rule " + quoted(rule) + didYouMean(rule, among: rules)
                   + (rules.isEmpty ? "; no [rule] is configured" : "; rules are " + joinedList(rules)))
        }
        let cameras = declared("camera", unnamed: "camera"), microphones = declared("microphone", unnamed: "microphone")
        if let camera = record.camera, !cameras.contains(camera) {
            report("record", nil, key: "camera", "unknown camera " + quoted(camera) + didYouMean(camera, among: cameras))
        }
        if let microphone = record.microphone, !microphones.contains(microphone) {
            report("record", nil, key: "microphone", "unknown microphone " + quoted(microphone)
                   + didYouMean(microphone, among: microphones))
        }
        if cameras.isEmpty && microphones.isEmpty {
            report("record", nil, key: nil, "nothing to record: no [camera] or [microphone] is configured")
        }
        let models = declared("model")
        if let model = record.model, !models.contains(model) {
            report("record", nil, key: "model", "unknown model " + quoted(model) + didYouMean(model, among: models))
        }
        if models.isEmpty { report("record", nil, key: nil, "labels.txt needs a [model]; none is configured") }
        if record.events.isEmpty && !record.onDemand {
            report("record", nil, key: "on-demand", "nothing would be recorded: no events and on-demand = no")
        }
    }

    private mutating func checkSourceNames() {
        for microphone in configuration.microphones
        where configuration.cameras.contains(where: { $0.name == microphone.name }) {
            report("microphone", microphone.name == "microphone" ? nil : microphone.name, key: nil,
                   "a camera is already named " + quoted(microphone.name) + "; source names must differ")
        }
    }

    /// Names of the sections of `kind` in the file, including ones that failed to read:
    /// a broken [camera] should show its own error, not also one at every model using it.
    private func declared(_ kind: String, unnamed: String? = nil) -> [String] {
        document.sections.filter { $0.kind == kind }.compactMap { $0.name ?? unnamed }
    }

    private var sourceNames: [String] {
        declared("camera", unnamed: "camera") + declared("microphone", unnamed: "microphone")
    }

    private mutating func checkModelInputs() {
        for model in configuration.models {
            for input in model.inputs where !sourceNames.contains(input.source) {
                report("model", model.name, key: "input." + String(input.index),
                       "unknown source " + quoted(input.source) + didYouMean(input.source, among: sourceNames)
                       + (sourceNames.isEmpty ? "; no [camera] or [microphone] is configured"
                                              : "; sources are " + joinedList(sourceNames)))
            }
        }
    }

    private mutating func checkRules() {
        let modelNames = declared("model")
        for rule in configuration.rules {
            guard let model = configuration.models.first(where: { $0.name == rule.model }) else {
                if modelNames.contains(rule.model) { continue }  // declared, but broken itself
                report("rule", rule.name, key: nil, "unknown model " + quoted(rule.model)
                       + didYouMean(rule.model, among: modelNames)
                       + (modelNames.isEmpty ? "; no [model] is configured" : "; models are " + joinedList(modelNames)))
                continue
            }
            if let labels = model.labels, !labels.contains(rule.label) {
                report("rule", rule.name, key: nil, "model " + model.name + " has no label " + quoted(rule.label)
                       + didYouMean(rule.label, among: labels) + "; its labels are " + joinedList(labels))
            }
        }
        // Inputs that failed to read count as event sources: their own error says what to fix.
        let triggers = configuration.gpioInputs.filter { $0.role != .event }.map { $0.name }
        let eventInputs = declared("gpio-input").filter { !triggers.contains($0) }
            .map { GpioInputConfig.eventModel + "." + $0 }
        let ruleNames = declared("rule") + eventInputs
        for action in configuration.actions where !ruleNames.contains(action.rule) {
            report("action", action.name, key: "rule", "unknown rule " + quoted(action.rule)
                   + didYouMean(action.rule, among: ruleNames)
                   + (ruleNames.isEmpty ? "; no [rule] or event-mode [gpio-input] is configured"
                                        : "; rules are " + joinedList(ruleNames)))
        }
        for input in configuration.gpioInputs {
            if case .trigger(let model) = input.role, !modelNames.contains(model) {
                report("gpio-input", input.name, key: "model", "unknown model " + quoted(model)
                       + didYouMean(model, among: modelNames))
            }
        }
    }

    /// One owner per GPIO line: two outputs fighting over a pin, or an output driving an input.
    private mutating func checkGpio() {
        var owners: [(line: GpioLine, header: String, origin: ConfigOrigin, kind: String, name: String)] = []
        let claims = configuration.gpioInputs.map { ("gpio-input", $0.name, $0.gpio) }
            + configuration.actions.map { ("action", $0.name, $0.gpio) }
        // Report in file order: the later section is the one that clashes.
        let ordered = claims.compactMap { claim -> (String, String, GpioLine, ConfigSection)? in
            guard let s = section(claim.0, claim.1) else { return nil }
            return (claim.0, claim.1, claim.2, s)
        }.sorted { ($0.3.origin.line ?? Int.max) < ($1.3.origin.line ?? Int.max) }
        for (kind, name, line, section) in ordered {
            if let owner = owners.first(where: {
                $0.line.normalizedChip == line.normalizedChip && $0.line.line == line.line
            }) {
                report(kind, name, key: "line", line.description + " is already used by " + owner.header
                       + (owner.origin.line.map { " (line " + String($0) + ")" } ?? ""))
            } else {
                owners.append((line, section.header, section.origin, kind, name))
            }
        }
    }

    /// Every label `[mqtt] labels` names must be a rule or an event-mode GPIO input.
    private mutating func checkMQTT() {
        guard let labels = configuration.mqtt?.labels else { return }
        let known = declared("rule") + configuration.gpioInputs.filter { $0.role == .event }
            .map { GpioInputConfig.eventModel + "." + $0.name }
        for label in labels where !known.contains(label) {
            report("mqtt", nil, key: "labels", "unknown label " + quoted(label) + didYouMean(label, among: known)
                   + (known.isEmpty ? "; no [rule] or event-mode [gpio-input] is configured"
                                    : "; rules and event inputs are " + joinedList(known)))
        }
    }
}
