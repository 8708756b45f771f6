import PerchCommandLine
import PerchSystem

/// `perch-selfcheck`: checks that must run on the target architecture (there is no XCTest
/// in embedded mode). Prints `N passed, N failed` last; exits 1 on any failure.
public enum SelfCheckCommand {
    static let options: [OptionSpec] = [
        .flag("help", short: "h", help: "show this help and exit"),
        .flag("verbose", short: "v", help: "print every check, not only failures"),
    ]

    public static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments.dropFirst(), options: options)
            if let first = parsed.positionals.first { throw UsageError.unexpectedArgument(first) }
        } catch {
            StandardStream.error.write("perch-selfcheck: " + error.description + "\n")
            return 2
        }
        if parsed.has("help") {
            StandardStream.output.write("Usage: perch-selfcheck [OPTIONS]\n\n" + optionsHelp(options))
            return 0
        }
        let runner = CheckRunner(verbose: parsed.has("verbose"))
        printLine("perch-selfcheck " + PerchVersion.string + " (" + PerchVersion.architecture + ", "
                  + PerchVersion.buildMode + ")")
        SystemSelfChecks.run(runner)
        ArgumentSelfChecks.run(runner)
        RuntimeSelfChecks.run(runner)
        MediaSelfChecks.run(runner)
        JPEGSelfChecks.run(runner)
        ViewSelfChecks.run(runner)
        FrontendSelfChecks.run(runner)
        DeviceSelfChecks.run(runner)
        DaemonCoreSelfChecks.run(runner)
        ProtocolSelfChecks.run(runner)
        printLine(runner.summary)
        return runner.failed == 0 ? 0 : 1
    }
}
