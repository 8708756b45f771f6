import PerchCommandLine
import PerchDaemon
import PerchDaemonCore
import PerchSystem

/// `perchd`: argument parsing; the daemon itself is `PerchDaemon.Daemon`.
public enum PerchdCommand {
    static let options: [OptionSpec] = [
        .flag("help", short: "h", help: "show this help and exit"),
        .value("config", short: "c", valueName: "FILE", help: "the configuration file (default /etc/perch/perchd.conf)"),
        .flag("demo", help: "run without devices: the default model on a test pattern and the demo audio (config/demo.conf)"),
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
        var overrides: [ConfigOverride] = []
        var configPath = parsed.value("config") ?? "/etc/perch/perchd.conf"
        var socket = parsed.value("socket")
        var readyMessage: ((String) -> String)? = nil
        if parsed.has("demo") {
            guard let root = DemoSetup.dataRoot() else {
                Log.error("--demo: cannot find models/perch-av and config/demo.conf near the executable or in "
                          + DemoSetup.installedRoot)
                return 1
            }
            if parsed.value("config") == nil { configPath = root + "/config/demo.conf" }
            socket = DemoSetup.absolute(socket ?? DemoSetup.defaultSocket())
            configPath = DemoSetup.absolute(configPath)
            // The demo configuration names its files relative to the data root.
            do throws(Errno) { try FileSystem.changeDirectory(root) } catch {
                Log.error("--demo: cannot enter " + root + ": " + error.description)
                return 1
            }
            readyMessage = DemoSetup.howTo
            Log.notice("demo: data from " + root)
        }
        if let socket { overrides.append(.socketPath(socket)) }
        if let level = parsed.value("log-level") { overrides.append(.logLevel(level)) }
        overrides += parsed.allValues("set").map { ConfigOverride.setting($0) }
        Log.notice("perchd " + PerchVersion.string + " starting with " + configPath)
        return Daemon.run(DaemonOptions(configPath: configPath, overrides: overrides, socketPath: socket,
                                        logLevelFromArguments: parsed.value("log-level") != nil,
                                        version: PerchVersion.string, readyMessage: readyMessage))
    }
}
