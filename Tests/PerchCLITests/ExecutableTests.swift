import XCTest
import Foundation

/// Runs the built executables as a user would and checks their output and exit status.
final class ExecutableTests: XCTestCase {
    func testPerchdVersion() throws {
        let result = try runProduct("perchd", ["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.hasPrefix("perchd 0."), result.stdout)
        XCTAssertTrue(result.stdout.contains("host"), result.stdout)
    }

    func testPerchdHelpListsOptions() throws {
        let result = try runProduct("perchd", ["-h"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("--log-level LEVEL"))
        XCTAssertTrue(result.stdout.contains("--version"))
    }

    func testPerchdRejectsUnknownFlagsWithUsageStatus() throws {
        let result = try runProduct("perchd", ["--frobnicate"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("unknown option '--frobnicate'"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testPerchdRejectsBadLogLevel() throws {
        let result = try runProduct("perchd", ["--log-level", "loud"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("invalid value 'loud' for '--log-level'"), result.stderr)
    }

    func testPerchdLogLinesCarrySdDaemonPriorities() throws {
        let debug = try runProduct("perchd", ["--log-level=debug"])
        let lines = debug.stderr.split(separator: "\n")
        XCTAssertFalse(lines.isEmpty)
        for line in lines {
            XCTAssertTrue(line.hasPrefix("<") && line.dropFirst().first.map { "34567".contains($0) } == true,
                          "line without priority prefix: \(line)")
        }
        XCTAssertTrue(debug.stderr.contains("<5>perchd "), debug.stderr)
        // At level error, the notice line is filtered and only the error remains.
        let quiet = try runProduct("perchd", ["-l", "3"])
        XCTAssertFalse(quiet.stderr.contains("<5>"), quiet.stderr)
        XCTAssertTrue(quiet.stderr.contains("<3>"), quiet.stderr)
    }

    func testSelfCheckPassesOnTheHost() throws {
        let result = try runProduct("perch-selfcheck", [])
        XCTAssertEqual(result.status, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix(" passed, 0 failed\n"), result.stdout)
    }

    func testPerchUnknownCommand() throws {
        let result = try runProduct("perch", ["frobnicate"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("unknown command 'frobnicate'"))
    }
}
