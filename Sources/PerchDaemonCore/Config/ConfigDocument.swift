/// A configuration file after syntax checking and before typing: sections of `key = value`
/// entries with their origins. Overrides from flags are merged in at this level, so they are
/// validated exactly like lines of the file.
struct ConfigEntry: Equatable, Sendable {
    var key: String
    /// The value as written, quotes included; its type is decided by the section reader.
    var value: String
    var origin: ConfigOrigin
}

struct ConfigSection: Equatable, Sendable {
    var kind: String
    var name: String?
    var origin: ConfigOrigin
    var entries: [ConfigEntry] = []

    /// `[model person]` or `[socket]`.
    var header: String { "[" + kind + (name.map { " " + $0 } ?? "") + "]" }

    /// `model.person` or `socket`: how `--set` addresses the section.
    var dottedName: String { kind + (name.map { "." + $0 } ?? "") }

    func entry(_ key: String) -> ConfigEntry? { entries.first { $0.key == key } }
}

struct ConfigDocument: Equatable, Sendable {
    var file: String
    var sections: [ConfigSection] = []
    /// Syntax errors, duplicate keys and sections.
    var diagnostics: [ConfigDiagnostic] = []

    /// Sets `key` in the section `dotted path` names (e.g. `rule.person.person.on`), replacing a
    /// value from the file. Sections without a name (`socket`, `daemon`) are created when missing.
    mutating func override(path: String, value: String, origin: ConfigOrigin) throws(ConfigErrors) {
        var best: Int? = nil
        for (i, section) in sections.enumerated() {
            let prefix = section.dottedName + "."
            guard path.hasPrefix(prefix), path.utf8.count > prefix.utf8.count else { continue }
            if best == nil || sections[best!].dottedName.utf8.count < section.dottedName.utf8.count { best = i }
        }
        if best == nil, let dot = path.firstIndex(of: "."), ConfigSectionKind.unnamed.contains(String(path[..<dot])) {
            sections.append(ConfigSection(kind: String(path[..<dot]), name: nil, origin: origin))
            best = sections.count - 1
        }
        guard let index = best else {
            let names = sections.map { $0.dottedName }
            throw ConfigErrors([ConfigDiagnostic(
                origin: origin,
                message: "no section for " + quoted(path) + "; expected SECTION.KEY=VALUE with SECTION one of "
                    + joinedList(names))])
        }
        let key = String(path.dropFirst(sections[index].dottedName.utf8.count + 1))
        let entry = ConfigEntry(key: key, value: value, origin: origin)
        if let existing = sections[index].entries.firstIndex(where: { $0.key == key }) {
            sections[index].entries[existing] = entry
        } else {
            sections[index].entries.append(entry)
        }
    }
}

/// The section kinds Perch knows, and which take a name.
enum ConfigSectionKind {
    static let unnamed = ["daemon", "socket", "web", "mqtt", "record"]
    /// Named sections; sources may also be written without a name (`[camera]` is "camera").
    static let named = ["camera", "microphone", "model", "rule", "action", "gpio-input"]
    static let optionallyNamed = ["camera", "microphone"]
    static var all: [String] { unnamed + named }
}

/// A value as a quoted configuration literal, for typed overrides such as `--socket PATH`:
/// the path is taken as is, never split or read as a comment.
func quotedLiteral(_ text: String) -> String {
    var result = "\""
    for c in text {
        switch c {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\t": result += "\\t"
        default: result.append(c)
        }
    }
    return result + "\""
}
