/// Typed access to one section's entries. Every getter records a diagnostic naming the
/// line and key when a value has the wrong type; `finish` reports keys nobody asked for.
struct SectionReader {
    let section: ConfigSection
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Keys a getter asked for: the section's schema, for unknown-key suggestions.
    private var known: [String] = []
    private var consumed: Set<String> = []

    init(_ section: ConfigSection) { self.section = section }

    var header: String { section.header }

    /// The entry for `key`, marked as known and used.
    mutating func entry(_ key: String) -> ConfigEntry? {
        known.append(key)
        consumed.insert(key)
        return section.entry(key)
    }

    /// Entries whose key starts with `prefix` (e.g. `input.`), in file order.
    mutating func entries(withPrefix prefix: String) -> [ConfigEntry] {
        known.append(prefix + "N")
        let found = section.entries.filter { $0.key.hasPrefix(prefix) }
        for entry in found { consumed.insert(entry.key) }
        return found
    }

    mutating func report(_ entry: ConfigEntry, _ message: String) {
        diagnostics.append(ConfigDiagnostic(origin: entry.origin, section: header, key: entry.key, message: message))
    }

    /// A problem with `key` (at its line) or, when the key is absent or nil, with the section
    /// as a whole (at its header).
    mutating func report(key: String?, _ message: String) {
        let origin = key.flatMap { section.entry($0)?.origin } ?? section.origin
        diagnostics.append(ConfigDiagnostic(origin: origin, section: header, key: key, message: message))
    }

    /// Reads `key` with `parse`; reports `expected …, got "raw"` when it fails.
    mutating func value<T>(_ key: String, expected: String, _ parse: (String) -> T?) -> T? {
        guard let entry = entry(key) else { return nil }
        if let value = parse(entry.value) { return value }
        report(entry, "expected " + expected + ", got " + shownValue(entry.value))
        return nil
    }

    /// Like `value`, and reports a missing key at the section header.
    mutating func required<T>(_ key: String, expected: String, _ parse: (String) -> T?) -> T? {
        if section.entry(key) == nil {
            known.append(key)
            report(key: key, "required key missing; expected " + expected)
            return nil
        }
        return value(key, expected: expected, parse)
    }

    mutating func string(_ key: String) -> String? {
        value(key, expected: "a string", nonEmptyString)
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        value(key, expected: "an integer from " + String(range.lowerBound) + " to " + String(range.upperBound)) {
            ConfigValues.integer($0).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    mutating func decimal(_ key: String, in range: ClosedRange<Double>, expected: String) -> Double? {
        value(key, expected: expected) { ConfigValues.decimal($0).flatMap { range.contains($0) ? $0 : nil } }
    }

    mutating func boolean(_ key: String) -> Bool? {
        value(key, expected: "true or false", ConfigValues.boolean)
    }

    mutating func durationMilliseconds(_ key: String) -> Int64? {
        value(key, expected: "a duration such as 250ms, 2s or 1m", ConfigValues.durationMilliseconds)
    }

    mutating func list(_ key: String) -> [String]? {
        value(key, expected: "a list such as a, b, \"c d\"", ConfigValues.list)
    }

    /// One of a fixed set of words.
    mutating func choice<T>(_ key: String, _ options: [(word: String, value: T)]) -> T? {
        let words = options.map { $0.word }
        guard let entry = entry(key) else { return nil }
        if let match = options.first(where: { $0.word == entry.value }) { return match.value }
        report(entry, "expected one of " + joinedList(words) + ", got " + shownValue(entry.value)
               + didYouMean(entry.value, among: words))
        return nil
    }

    /// Reports every key no getter asked for, suggesting the nearest known one.
    mutating func finish() {
        for entry in section.entries where !consumed.contains(entry.key) {
            report(entry, "unknown key" + didYouMean(entry.key, among: known)
                   + "; keys here are " + joinedList(known))
        }
    }
}

func nonEmptyString(_ raw: String) -> String? {
    guard let text = ConfigValues.string(raw), !text.isEmpty else { return nil }
    return text
}

/// A value for a message: bare text in quotes, quoted text as written.
func shownValue(_ raw: String) -> String { raw.hasPrefix("\"") ? raw : quoted(raw) }
