import PerchSystem

/// Counts and prints the outcome of self-checks; the last line is `N passed, N failed`.
public final class CheckRunner {
    public private(set) var passed = 0
    public private(set) var failed = 0
    let verbose: Bool

    public init(verbose: Bool) { self.verbose = verbose }

    public func check(_ name: String, _ condition: Bool, _ detail: @autoclosure () -> String = "") {
        if condition {
            passed += 1
            if verbose { printLine("ok   " + name) }
        } else {
            failed += 1
            let d = detail()
            printLine("FAIL " + name + (d.isEmpty ? "" : ": " + d))
        }
    }

    public func expectEqual<T: Equatable>(_ name: String, _ actual: T, _ expected: T,
                                          describe: (T) -> String) {
        check(name, actual == expected, "got " + describe(actual) + ", expected " + describe(expected))
    }

    public func expectEqual(_ name: String, _ actual: Int, _ expected: Int) {
        expectEqual(name, actual, expected) { String($0) }
    }

    public var summary: String { String(passed) + " passed, " + String(failed) + " failed" }
}
