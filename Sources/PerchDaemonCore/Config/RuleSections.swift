/// Readers for `[rule MODEL.LABEL]`, `[action NAME]` and `[gpio-input NAME]`.
enum RuleSections {
    static func rule(_ reader: inout SectionReader) -> RuleConfig? {
        let name = reader.section.name ?? ""
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex, name.index(after: dot) != name.endIndex else {
            reader.report(key: nil, "expected a rule named MODEL.LABEL, e.g. [rule person.person]")
            return nil
        }
        let score = "a number between 0 and 1"
        let on = reader.required("on", expected: score) { ConfigValues.decimal($0).flatMap { (0...1).contains($0) ? $0 : nil } }
        let off = reader.decimal("off", in: 0...1, expected: score)
        var rule = RuleConfig(model: String(name[..<dot]), label: String(name[name.index(after: dot)...]),
                              on: Float(on ?? 1), off: Float(off ?? on ?? 1))
        if let on, let off, off > on {
            reader.report(key: "off", "must not be above on (" + quotedNumber(on) + ") for hysteresis, got "
                          + quotedNumber(off))
        }
        if let hits = reader.integer("hits", in: 1...1000) { rule.hits = hits }
        if let refractory = reader.durationMilliseconds("refractory") { rule.refractoryMilliseconds = refractory }
        if let window = reader.integer("window", in: 1...1000) { rule.window = window }
        reader.finish()
        return on == nil ? nil : rule
    }

    static func action(_ reader: inout SectionReader) -> ActionConfig? {
        let rule = reader.required("rule", expected: "MODEL.LABEL of a rule, or gpio.INPUT", nonEmptyString)
        let gpio = readLine(&reader)
        var action = ActionConfig(name: reader.section.name ?? "", rule: rule ?? "", gpio: gpio ?? GpioLine(chip: "", line: 0))
        let mode = reader.choice("mode", [("level", false), ("pulse", true)])
        let pulse = reader.durationMilliseconds("pulse")
        if mode == true {
            if let pulse, pulse > 0 {
                action.behaviour = .pulse(milliseconds: pulse)
            } else if pulse == nil, reader.section.entry("pulse") == nil {
                reader.report(key: "pulse", "required with mode = pulse; expected a duration such as 500ms")
            } else if pulse == 0 {
                reader.report(key: "pulse", "expected a duration above 0")
            }
        } else if reader.section.entry("pulse") != nil, mode == false || reader.section.entry("mode") == nil {
            reader.report(key: "pulse", "only used with mode = pulse")
        }
        if let activeLow = reader.boolean("active-low") { action.activeLow = activeLow }
        reader.finish()
        return rule == nil || gpio == nil ? nil : action
    }

    static func gpioInput(_ reader: inout SectionReader) -> GpioInputConfig? {
        let gpio = readLine(&reader)
        let isTrigger = reader.required("mode", expected: "trigger or event") { (raw: String) -> Bool? in
            raw == "trigger" ? true : raw == "event" ? false : nil
        }
        let model = reader.value("model", expected: "a model name", nonEmptyString)
        var role = GpioInputRole.event
        if isTrigger == true {
            if let model { role = .trigger(model: model) } else if reader.section.entry("model") == nil {
                reader.report(key: "model", "required with mode = trigger; expected the model to run")
            }
        } else if isTrigger == false, model != nil {
            reader.report(key: "model", "only used with mode = trigger")
        }
        var input = GpioInputConfig(name: reader.section.name ?? "", gpio: gpio ?? GpioLine(chip: "", line: 0), role: role)
        if let edge = reader.choice("edge", Edge.allCases.map { ($0.rawValue, $0) }) {
            input.edge = edge
            if isTrigger == false { reader.report(key: "edge", "only used with mode = trigger") }
        }
        if let activeLow = reader.boolean("active-low") { input.activeLow = activeLow }
        if let debounce = reader.durationMilliseconds("debounce") { input.debounceMilliseconds = debounce }
        reader.finish()
        if isTrigger == true, model == nil { return nil }
        return gpio == nil || isTrigger == nil ? nil : input
    }

    /// `chip` and `line`, both required.
    private static func readLine(_ reader: inout SectionReader) -> GpioLine? {
        let chip = reader.required("chip", expected: "a GPIO chip such as gpiochip0", nonEmptyString)
        let line = reader.required("line", expected: "a line offset from 0 to 1023") {
            ConfigValues.integer($0).flatMap { (0...1023).contains($0) ? $0 : nil }
        }
        guard let chip, let line else { return nil }
        return GpioLine(chip: chip, line: line)
    }
}

/// A decimal as the user would write it: "0.5", "1".
func quotedNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
}
