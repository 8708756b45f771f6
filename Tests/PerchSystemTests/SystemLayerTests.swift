import XCTest
import Foundation
@testable import PerchSystem

final class SystemLayerTests: XCTestCase {
    func testLogLevelParsingAcceptsNamesAndNumbers() {
        XCTAssertEqual(LogLevel(parsing: "error"), .error)
        XCTAssertEqual(LogLevel(parsing: "err"), .error)
        XCTAssertEqual(LogLevel(parsing: "warn"), .warning)
        XCTAssertEqual(LogLevel(parsing: "5"), .notice)
        XCTAssertEqual(LogLevel(parsing: "debug"), .debug)
        XCTAssertNil(LogLevel(parsing: "verbose"))
        XCTAssertNil(LogLevel(parsing: "2"))
    }

    func testLogThresholdFiltersLowerPriorities() {
        let saved = Log.level
        defer { Log.level = saved }
        Log.level = .warning
        XCTAssertTrue(Log.isEnabled(.error))
        XCTAssertTrue(Log.isEnabled(.warning))
        XCTAssertFalse(Log.isEnabled(.info))
        Log.level = .debug
        XCTAssertTrue(Log.isEnabled(.debug))
    }

    func testParseDoubleUsesTheCLocaleAndRejectsTrailingText() {
        XCTAssertEqual(parseDouble("2.5"), 2.5)
        XCTAssertEqual(parseDouble("-1e-3"), -0.001)
        XCTAssertEqual(parseDouble("16000"), 16000)
        XCTAssertNil(parseDouble("2,5"))
        XCTAssertNil(parseDouble("1.0 "))
        XCTAssertNil(parseDouble(""))
        XCTAssertNil(parseDouble("1e999"))
        // C stops at a NUL; found by fuzz-config ("off = 0<NUL>junk" was 0).
        XCTAssertNil(parseDouble("0\0junk"))
        XCTAssertNil(parseDoubleNearest("0\0junk"))
    }

    func testParseDoubleNearestRoundsOutOfRangeValuesInsteadOfFailing() {
        XCTAssertEqual(parseDoubleNearest("5e-324")?.bitPattern, 1)
        XCTAssertEqual(parseDoubleNearest("1e-999"), 0)
        XCTAssertEqual(parseDoubleNearest("1e999"), .infinity)
        XCTAssertEqual(parseDoubleNearest("0.1"), 0.1)
        XCTAssertNil(parseDoubleNearest("1.0x"))
        XCTAssertNil(parseDoubleNearest(""))
    }

    func testErrnoHasTheCLibraryMessage() {
        XCTAssertEqual(Errno.noEntry.description, "No such file or directory")
        XCTAssertEqual(Errno(EBUSY), Errno.busy)
    }

    func testFilesRoundTripAndReportMissingFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perch-files-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("blob.bin").path
        // Larger than one read chunk, so the read loop runs more than once.
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Files.write(path, bytes)
        XCTAssertEqual(try Files.read(path), bytes)

        XCTAssertThrowsError(try Files.read(dir.appendingPathComponent("missing").path)) { error in
            XCTAssertEqual(error as? Errno, .noEntry)
        }
    }

    func testProcessArgumentsSeeTheRealCommandLine() {
        // The C constructor captured argc/argv: the first is this test runner.
        let arguments = ProcessArguments.all
        XCTAssertEqual(arguments.count, CommandLine.arguments.count)
        XCTAssertEqual(arguments.first, CommandLine.arguments.first)
    }

    func testEnvironmentLookup() {
        setenv("PERCH_TEST_VALUE", "42", 1)
        XCTAssertEqual(Environment.value("PERCH_TEST_VALUE"), "42")
        XCTAssertNil(Environment.value("PERCH_TEST_SURELY_UNSET"))
    }
}
