/// Where a configuration setting came from: a line of the file, or a command-line flag.
public enum ConfigOrigin: Equatable, Sendable {
    case file(String, line: Int)
    /// A flag such as `--set camera.width=640` or `--socket /tmp/p.sock`, as typed.
    case argument(String)

    public var description: String {
        switch self {
        case .file(let file, let line): return file + ":" + String(line)
        case .argument(let flag): return flag
        }
    }

    var line: Int? {
        if case .file(_, let line) = self { return line }
        return nil
    }
}

/// One problem found in a configuration, with everything needed to find and fix it.
public struct ConfigDiagnostic: Equatable, Sendable {
    public var origin: ConfigOrigin
    /// 1-based column, for syntax errors inside a line.
    public var column: Int?
    /// The section as written in its header, e.g. `[rule person.person]`.
    public var section: String?
    public var key: String?
    public var message: String

    public init(origin: ConfigOrigin, column: Int? = nil, section: String? = nil, key: String? = nil, message: String) {
        self.origin = origin
        self.column = column
        self.section = section
        self.key = key
        self.message = message
    }

    /// `perchd.conf:12: [rule person.person] on: expected a number between 0 and 1, got "high"`
    public var description: String {
        var text = origin.description
        if let column { text += ":" + String(column) }
        text += ": "
        if let section { text += section + (key == nil ? ": " : " ") }
        if let key { text += key + ": " }
        return text + message
    }
}

/// Every problem found in a configuration, in file order; thrown when there is at least one.
public struct ConfigErrors: Error, Equatable, Sendable {
    public var diagnostics: [ConfigDiagnostic]

    public init(_ diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics }

    /// One diagnostic per line.
    public var description: String {
        var text = ""
        for diagnostic in diagnostics { text += diagnostic.description + "\n" }
        return text
    }
}

/// Quotes a value for a message: `"high"`.
func quoted(_ text: String) -> String { "\"" + text + "\"" }

/// "a, b, c" for messages.
func joinedList(_ items: [String]) -> String {
    var text = ""
    for (i, item) in items.enumerated() { text += (i == 0 ? "" : ", ") + item }
    return text
}
