/// What a GPIO output does while an event is active.
public enum OutputBehaviour: Equatable, Sendable {
    /// Active from the event's start to its end.
    case level
    /// Active for this long at each start.
    case pulse(milliseconds: Int64)

    public var description: String {
        switch self {
        case .level: return "level"
        case .pulse(let ms): return "pulse " + String(ms) + " ms"
        }
    }
}

/// A GPIO line on a chip (`gpiochip0` or `/dev/gpiochip0` name the same chip).
public struct GpioLine: Equatable, Sendable {
    public var chip: String
    public var line: Int

    public init(chip: String, line: Int) {
        self.chip = chip
        self.line = line
    }

    var normalizedChip: String { chip.hasPrefix("/dev/") ? String(chip.dropFirst(5)) : chip }

    public var description: String { chip + ":" + String(line) }
}

/// `[action NAME]`: drives a GPIO output from a rule's events.
public struct ActionConfig: Equatable, Sendable {
    public var name: String
    /// `MODEL.LABEL` of a rule, or `gpio.INPUT` of an event-mode GPIO input.
    public var rule: String
    public var gpio: GpioLine
    public var behaviour: OutputBehaviour = .level
    public var activeLow: Bool = false

    public init(name: String, rule: String, gpio: GpioLine) {
        self.name = name
        self.rule = rule
        self.gpio = gpio
    }
}

public enum Edge: String, Equatable, Sendable, CaseIterable {
    case rising, falling, both

    public var description: String { rawValue }
}

/// What a GPIO input does when it becomes active.
public enum GpioInputRole: Equatable, Sendable {
    /// Run this model now, outside its rate.
    case trigger(model: String)
    /// Raise events like a label: model `gpio`, label = the input's name.
    case event

    public var description: String {
        switch self {
        case .trigger(let model): return "trigger " + model
        case .event: return "event"
        }
    }
}

/// `[gpio-input NAME]`.
public struct GpioInputConfig: Equatable, Sendable {
    public var name: String
    public var gpio: GpioLine
    public var role: GpioInputRole
    public var edge: Edge = .rising
    public var activeLow: Bool = false
    public var debounceMilliseconds: Int64 = 0

    public init(name: String, gpio: GpioLine, role: GpioInputRole) {
        self.name = name
        self.gpio = gpio
        self.role = role
    }

    /// The model name GPIO-input events carry.
    public static let eventModel = "gpio"
}
