/// A small hand-written command-line parser (Embedded Swift cannot use ArgumentParser).
/// Accepts `--name value`, `--name=value`, `-n value`, flags, and `--` to end options.

/// One option a command accepts.
public struct OptionSpec: Sendable {
    public var name: String
    public var short: Character?
    public var takesValue: Bool
    public var valueName: String
    public var help: String

    public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, takesValue: false, valueName: "", help: help)
    }

    public static func value(_ name: String, short: Character? = nil, valueName: String, help: String) -> OptionSpec {
        OptionSpec(name: name, short: short, takesValue: true, valueName: valueName, help: help)
    }

    /// "  -l, --log-level LEVEL" as shown in help text.
    var usage: String {
        var text = "  "
        if let short { text += "-" + String(short) + ", " } else { text += "    " }
        text += "--" + name
        if takesValue { text += " " + valueName }
        return text
    }
}

public enum UsageError: Error, Equatable, Sendable {
    case unknownOption(String)
    case missingValue(option: String)
    case unexpectedValue(option: String)
    case missingArgument(String)
    case unexpectedArgument(String)
    case invalidValue(option: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unknownOption(let o): return "unknown option '\(o)'"
        case .missingValue(let o): return "option '--\(o)' needs a value"
        case .unexpectedValue(let o): return "option '--\(o)' takes no value"
        case .missingArgument(let what): return "missing \(what)"
        case .unexpectedArgument(let a): return "unexpected argument '\(a)'"
        case .invalidValue(let o, let v, let expected): return "invalid value '\(v)' for '--\(o)': expected \(expected)"
        }
    }
}

/// The result of parsing: flags that were given, option values in order, positionals.
public struct ParsedArguments: Sendable {
    public var flags: Set<String> = []
    public var values: [String: [String]] = [:]
    public var positionals: [String] = []

    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    /// The last value given for an option (later ones override earlier ones).
    public func value(_ name: String) -> String? { values[name]?.last }
    public func allValues(_ name: String) -> [String] { values[name] ?? [] }
}

public func parseArguments(_ arguments: ArraySlice<String>, options: [OptionSpec]) throws(UsageError) -> ParsedArguments {
    var parsed = ParsedArguments()
    var index = arguments.startIndex
    var optionsEnded = false

    func spec(long: String) -> OptionSpec? { options.first { $0.name == long } }
    func spec(short: Character) -> OptionSpec? { options.first { $0.short == short } }

    while index < arguments.endIndex {
        let argument = arguments[index]
        index += 1
        if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
            parsed.positionals.append(argument)
            continue
        }
        if argument == "--" { optionsEnded = true; continue }

        var name: String
        var inlineValue: String? = nil
        let found: OptionSpec?
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                name = String(body[..<equals])
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = String(body)
            }
            found = spec(long: name)
        } else {
            let body = argument.dropFirst()
            guard body.count == 1, let c = body.first else { throw .unknownOption(argument) }
            found = spec(short: c)
        }
        guard let option = found else { throw .unknownOption(argument) }
        name = option.name
        if option.takesValue {
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.endIndex else { throw .missingValue(option: name) }
                value = arguments[index]
                index += 1
            }
            parsed.values[name, default: []].append(value)
        } else {
            if inlineValue != nil { throw .unexpectedValue(option: name) }
            parsed.flags.insert(name)
        }
    }
    return parsed
}

/// The "Options:" block of a help text.
public func optionsHelp(_ options: [OptionSpec]) -> String {
    let width = options.map { $0.usage.count }.max() ?? 0
    var text = "Options:\n"
    for option in options {
        let usage = option.usage
        text += usage + String(repeating: " ", count: width - usage.count + 2) + option.help + "\n"
    }
    return text
}
