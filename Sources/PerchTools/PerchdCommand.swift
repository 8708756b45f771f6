import PerchDaemonCore
import PerchSystem

/// `perchd`: argument parsing and start-up. The pipeline itself is added by the daemon issue.
public enum PerchdCommand {
    static let options: [OptionSpec] = [
        .flag("help", short: "h", help: "show this help and exit"),
        .flag("version", short: "V", help: "print the version and exit"),
        .value("log-level", short: "l", valueName: "LEVEL",
               help: "error, warning, notice, info (default) or debug; or 3-7"),
        .value("check-config", valueName: "FILE",
               help: "validate the configuration FILE, print a summary and exit (1 if invalid)"),
        .value("set", valueName: "SECTION.KEY=VALUE",
               help: "override a configuration value, e.g. camera.fps=10 (repeatable)"),
        .value("socket", valueName: "PATH", help: "listen on PATH instead of the configured socket"),
    ]

    static var helpText: String {
        "Usage: perchd [OPTIONS]\n\n"
            + "Perch inference daemon: camera and microphone in, int8 models, events out on GPIO\n"
            + "and a Unix socket. Logs go to stderr with sd-daemon <N> priority prefixes.\n\n"
            + optionsHelp(options)
    }

    /// Runs perchd with `arguments` (program name first); returns the exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments.dropFirst(), options: options)
            if let first = parsed.positionals.first { throw UsageError.unexpectedArgument(first) }
            if let text = parsed.value("log-level") {
                guard let level = LogLevel(parsing: text) else {
                    throw UsageError.invalidValue(option: "log-level", value: text,
                                                  expected: "error, warning, notice, info, debug or 3-7")
                }
                Log.level = level
            }
        } catch {
            StandardStream.error.write("perchd: " + error.description + "\nTry 'perchd --help'.\n")
            return 2
        }
        if parsed.has("help") {
            StandardStream.output.write(helpText)
            return 0
        }
        if parsed.has("version") {
            printLine("perchd " + PerchVersion.string + " (" + PerchVersion.architecture + ", "
                      + PerchVersion.buildMode + ")")
            return 0
        }
        if let path = parsed.value("check-config") {
            var overrides = parsed.allValues("set").map { ConfigOverride.setting($0) }
            if let socket = parsed.value("socket") { overrides.append(.socketPath(socket)) }
            if let level = parsed.value("log-level") { overrides.append(.logLevel(level)) }
            return CheckConfigCommand.run(path: path, overrides: overrides)
        }
        Log.notice("perchd " + PerchVersion.string + " starting (log level " + Log.level.name + ")")
        Log.error("no pipeline to run: this build has no daemon configuration support yet")
        return 78  // EX_CONFIG: nothing configured that could run
    }
}
