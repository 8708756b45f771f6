import PerchSystem

/// A command-line flag that overrides the configuration file.
public enum ConfigOverride: Equatable, Sendable {
    /// `--set SECTION.KEY=VALUE`, e.g. `--set rule.person.person.on=0.8`.
    case setting(String)
    /// `--socket PATH`
    case socketPath(String)
    /// `--log-level LEVEL`
    case logLevel(String)
}

/// perchd's whole configuration, validated: every section read and typed, every reference
/// between sections checked. Built only through `parse`/`load`, which collect all errors.
public struct Configuration: Equatable, Sendable {
    public var file: String
    public var daemon = DaemonConfig()
    public var socket = SocketConfig()
    public var cameras: [CameraConfig] = []
    public var microphones: [MicrophoneConfig] = []
    public var models: [ModelConfig] = []
    public var rules: [RuleConfig] = []
    public var actions: [ActionConfig] = []
    public var gpioInputs: [GpioInputConfig] = []
    public var web = WebConfig()
    /// `[mqtt]`; nil: no broker.
    public var mqtt: MQTTConfig? = nil
    /// `[record]`; nil: nothing is recorded.
    public var record: RecordConfig? = nil

    /// Kept so overrides applied later are validated like the file's own lines.
    var document: ConfigDocument
    /// Labels read from `labels-file`s, by path.
    var labelFiles: [String: [String]] = [:]
    /// Each model file's `metadata.json`, by model path (read by `load`).
    var metadata: [String: ModelMetadata] = [:]

    init(document: ConfigDocument) {
        self.file = document.file
        self.document = document
    }

    /// Parses configuration text; `file` names it in messages. Label files are not read
    /// (see `resolveLabelFiles`). Throws every problem found, in line order.
    public static func parse(_ text: String, file: String, overrides: [ConfigOverride] = []) throws(ConfigErrors)
        -> Configuration {
        var document = ConfigLexer.parse(text, file: file)
        for override in overrides {
            do throws(ConfigErrors) {
                try document.apply(override)
            } catch {
                document.diagnostics += error.diagnostics
            }
        }
        return try build(document, labelFiles: [:], metadata: [:]).get()
    }

    /// Reads and parses the file at `path`, applies `overrides`, and reads label files.
    public static func load(path: String, overrides: [ConfigOverride] = []) throws(ConfigErrors) -> Configuration {
        let bytes: [UInt8]
        do throws(Errno) {
            bytes = try Files.read(path)
        } catch {
            throw ConfigErrors([ConfigDiagnostic(origin: .argument(path), message: "cannot read: " + error.description)])
        }
        var document = ConfigLexer.parse(String(decoding: bytes, as: UTF8.self), file: path)
        for override in overrides {
            do throws(ConfigErrors) {
                try document.apply(override)
            } catch {
                document.diagnostics += error.diagnostics
            }
        }
        let read = { (path: String) throws(Errno) -> [UInt8] in try Files.read(path) }
        let found = readMetadata(document, read)
        document.diagnostics += found.diagnostics
        var configuration = try build(document, labelFiles: [:], metadata: found.metadata).get()
        try configuration.resolveLabelFiles(read)
        return configuration
    }

    /// Applies `SECTION.KEY=VALUE` (a `--set` flag) and validates the result; on error the
    /// configuration is unchanged.
    public mutating func apply(override setting: String) throws(ConfigErrors) {
        try apply(.setting(setting))
    }

    /// Sets `key` (`SECTION.KEY`) to `value`, written as in the file (quotes allowed).
    public mutating func apply(override key: String, value: String) throws(ConfigErrors) {
        try apply(.setting(key + "=" + value))
    }

    public mutating func apply(_ override: ConfigOverride) throws(ConfigErrors) {
        var changed = document
        try changed.apply(override)
        self = try Configuration.build(changed, labelFiles: labelFiles, metadata: metadata).get()
    }

    /// Reads every `labels-file` (one label per line; blank lines and `#` comments skipped)
    /// and checks rules against the labels.
    public mutating func resolveLabelFiles(_ read: (String) throws(Errno) -> [UInt8]) throws(ConfigErrors) {
        var diagnostics: [ConfigDiagnostic] = []
        var files = labelFiles
        for model in models {
            guard case .file(let path) = model.labelSource, files[path] == nil else { continue }
            let section = document.sections.first { $0.kind == "model" && $0.name == model.name }
            let origin = section?.entry("labels-file")?.origin ?? .argument(file)
            func fail(_ message: String) {
                diagnostics.append(ConfigDiagnostic(origin: origin, section: section?.header, key: "labels-file",
                                                    message: message))
            }
            do throws(Errno) {
                let labels = labelLines(try read(path))
                if labels.isEmpty { fail(quoted(path) + " holds no labels") } else { files[path] = labels }
            } catch {
                fail("cannot read " + quoted(path) + ": " + error.description)
            }
        }
        if !diagnostics.isEmpty { throw ConfigErrors(diagnostics) }
        self = try Configuration.build(document, labelFiles: files, metadata: metadata).get()
    }

    /// Reads the `metadata.json` beside every model file that has one; one that cannot be
    /// read or is malformed is an error at the section's `file` line.
    static func readMetadata(_ document: ConfigDocument, _ read: (String) throws(Errno) -> [UInt8])
        -> (metadata: [String: ModelMetadata], diagnostics: [ConfigDiagnostic]) {
        var found: [String: ModelMetadata] = [:]
        var diagnostics: [ConfigDiagnostic] = []
        for section in document.sections where section.kind == "model" {
            guard let entry = section.entry("file"), let file = nonEmptyString(entry.value), found[file] == nil else { continue }
            let path = ModelMetadata.path(forModel: file)
            let bytes: [UInt8]
            do throws(Errno) {
                bytes = try read(path)
            } catch {
                if error == .noEntry { continue }  // no metadata: the section says everything
                diagnostics.append(ConfigDiagnostic(origin: entry.origin, section: section.header, key: "file",
                                                    message: "cannot read " + path + ": " + error.description))
                continue
            }
            switch ModelMetadata.parse(bytes, path: path) {
            case .success(let metadata): found[file] = metadata
            case .failure(let problem):
                diagnostics.append(ConfigDiagnostic(origin: entry.origin, section: section.header, key: "file",
                                                    message: problem.description))
            }
        }
        return (found, diagnostics)
    }

    /// Reads every section and runs the cross-checks.
    static func build(_ document: ConfigDocument, labelFiles: [String: [String]],
                      metadata: [String: ModelMetadata]) -> Result<Configuration, ConfigErrors> {
        var configuration = Configuration(document: document)
        configuration.labelFiles = labelFiles
        configuration.metadata = metadata
        var diagnostics = document.diagnostics
        for section in document.sections {
            var reader = SectionReader(section)
            switch section.kind {
            case "daemon": configuration.daemon = BasicSections.daemon(&reader)
            case "socket": configuration.socket = BasicSections.socket(&reader)
            case "web": configuration.web = BasicSections.web(&reader)
            case "camera": if let c = BasicSections.camera(&reader) { configuration.cameras.append(c) }
            case "microphone": if let m = BasicSections.microphone(&reader) { configuration.microphones.append(m) }
            case "model":
                let file = section.entry("file").flatMap { nonEmptyString($0.value) }
                if var model = ModelSection.read(&reader, metadata: file.flatMap { metadata[$0] }) {
                    if case .file(let path) = model.labelSource { model.labels = labelFiles[path] }
                    configuration.models.append(model)
                }
            case "rule": if let r = RuleSections.rule(&reader) { configuration.rules.append(r) }
            case "action": if let a = RuleSections.action(&reader) { configuration.actions.append(a) }
            case "gpio-input": if let g = RuleSections.gpioInput(&reader) { configuration.gpioInputs.append(g) }
            case "mqtt": configuration.mqtt = MQTTSection.read(&reader)
            case "record": configuration.record = BasicSections.record(&reader)
            default: break  // the lexer admits only known kinds
            }
            diagnostics += reader.diagnostics
        }
        // Cross-checks run even when some sections failed, so one run shows every problem.
        var checks = CrossChecks(configuration, document)
        checks.run()
        diagnostics += checks.diagnostics
        if diagnostics.isEmpty { return .success(configuration) }
        return .failure(ConfigErrors(inLineOrder(diagnostics)))
    }

    /// The camera or microphone named `name`.
    public func camera(named name: String) -> CameraConfig? { cameras.first { $0.name == name } }
    public func microphone(named name: String) -> MicrophoneConfig? { microphones.first { $0.name == name } }
    public func model(named name: String) -> ModelConfig? { models.first { $0.name == name } }
}

extension ConfigDocument {
    mutating func apply(_ override: ConfigOverride) throws(ConfigErrors) {
        let (flag, text): (String, String)
        switch override {
        case .setting(let t): (flag, text) = ("--set ", t)
        case .socketPath(let t): (flag, text) = ("--socket ", t)
        case .logLevel(let t): (flag, text) = ("--log-level ", t)
        }
        if text.utf8.contains(0) {
            // Shown as \0: the message goes to a terminal or the journal.
            let shown = String(decoding: text.utf8.flatMap { $0 == 0 ? Array("\\0".utf8) : [$0] }, as: UTF8.self)
            throw ConfigErrors([ConfigDiagnostic(origin: .argument(flag + shown),
                                                 message: "a NUL byte; an argument is text")])
        }
        switch override {
        case .setting(let text):
            let origin = ConfigOrigin.argument("--set " + text)
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ConfigErrors([ConfigDiagnostic(origin: origin, message: "expected SECTION.KEY=VALUE")])
            }
            let value = trimmedBlanks(String(text[text.index(after: equals)...]))
            try self.override(path: trimmedBlanks(String(text[..<equals])), value: value, origin: origin)
        case .socketPath(let path):
            try self.override(path: "socket.path", value: quotedLiteral(path), origin: .argument("--socket " + path))
        case .logLevel(let level):
            try self.override(path: "daemon.log-level", value: quotedLiteral(level),
                              origin: .argument("--log-level " + level))
        }
    }
}

/// File lines first in line order, then flags; ties keep the order they were found in.
func inLineOrder(_ diagnostics: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
    diagnostics.enumerated().sorted { a, b in
        let ka = a.element.origin.line ?? Int.max, kb = b.element.origin.line ?? Int.max
        return ka != kb ? ka < kb : a.offset < b.offset
    }.map { $0.element }
}

/// One label per line; blank lines and `#` comments are skipped, blanks trimmed.
func labelLines(_ bytes: [UInt8]) -> [String] {
    // Split bytes, not Characters: "\r\n" is one Character and would hide the line break.
    bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
        let withoutReturn = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
        let text = trimmedBlanks(String(decoding: withoutReturn, as: UTF8.self))
        return text.isEmpty || text.hasPrefix("#") ? nil : text
    }
}
