import XCTest
import PerchCommandLine

final class ArgumentParserTests: XCTestCase {
    let options: [OptionSpec] = [
        .flag("verbose", short: "v", help: "more output"),
        .value("input", short: "i", valueName: "FILE", help: "an input"),
    ]

    func testLongShortInlineAndRepeatedOptions() throws {
        let parsed = try parseArguments(["-v", "--input", "a", "-i", "b", "--input=c", "pos"], options: options)
        XCTAssertTrue(parsed.has("verbose"))
        XCTAssertEqual(parsed.allValues("input"), ["a", "b", "c"])
        XCTAssertEqual(parsed.value("input"), "c")
        XCTAssertEqual(parsed.positionals, ["pos"])
    }

    func testDoubleDashEndsOptions() throws {
        let parsed = try parseArguments(["--", "--verbose", "-"], options: options)
        XCTAssertFalse(parsed.has("verbose"))
        XCTAssertEqual(parsed.positionals, ["--verbose", "-"])
    }

    func testErrorsNameTheOffendingOption() {
        XCTAssertThrowsError(try parseArguments(["--frobnicate"], options: options)) {
            XCTAssertEqual($0 as? UsageError, .unknownOption("--frobnicate"))
            XCTAssertEqual(($0 as? UsageError)?.description, "unknown option '--frobnicate'")
        }
        XCTAssertThrowsError(try parseArguments(["-x"], options: options)) {
            XCTAssertEqual($0 as? UsageError, .unknownOption("-x"))
        }
        XCTAssertThrowsError(try parseArguments(["-vi"], options: options)) {
            XCTAssertEqual($0 as? UsageError, .unknownOption("-vi"))
        }
        XCTAssertThrowsError(try parseArguments(["--input"], options: options)) {
            XCTAssertEqual($0 as? UsageError, .missingValue(option: "input"))
        }
        XCTAssertThrowsError(try parseArguments(["--verbose=yes"], options: options)) {
            XCTAssertEqual($0 as? UsageError, .unexpectedValue(option: "verbose"))
        }
    }

    func testHelpListsEveryOption() {
        let help = optionsHelp(options)
        XCTAssertTrue(help.contains("-v, --verbose"))
        XCTAssertTrue(help.contains("-i, --input FILE"))
        XCTAssertTrue(help.contains("an input"))
    }
}
