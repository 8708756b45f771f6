import PerchDaemonCore
import PerchSystem

/// `perchd --check-config FILE`: validates a configuration (with any `--set`, `--socket` and
/// `--log-level` overrides) and exits: 0 with a summary on stdout, 1 with every error on stderr.
enum CheckConfigCommand {
    static func run(path: String, overrides: [ConfigOverride]) -> Int32 {
        do throws(ConfigErrors) {
            let configuration = try Configuration.load(path: path, overrides: overrides)
            StandardStream.output.write(path + ": valid\n" + configuration.summary)
            return 0
        } catch {
            let count = error.diagnostics.count
            StandardStream.error.write(error.description + "perchd: " + path + ": " + String(count)
                                       + (count == 1 ? " error\n" : " errors\n"))
            return 1
        }
    }
}
