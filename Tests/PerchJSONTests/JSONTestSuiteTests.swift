import XCTest
import Foundation
import PerchJSON
import PerchSystem

/// Runs every file of JSONTestSuite's test_parsing (../shared/data/JSONTestSuite):
/// y_ must parse, n_ must be rejected, i_ may go either way but must not crash.
final class JSONTestSuiteTests: XCTestCase {
    let parser = JSONParser(parseDouble: PerchSystem.parseDoubleNearest)

    func suiteFiles(prefix: String) throws -> [(name: String, bytes: [UInt8])] {
        let dir = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data/JSONTestSuite/test_parsing")
        guard FileManager.default.fileExists(atPath: dir.path) else {
            let reason = "shared data missing: " + dir.path
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(reason) }
            throw XCTSkip(reason)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
        XCTAssertFalse(names.isEmpty, "no " + prefix + " files in " + dir.path)
        return try names.map { ($0, [UInt8](try Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    func testAcceptsEveryYFile() throws {
        let files = try suiteFiles(prefix: "y_")
        XCTAssertEqual(files.count, 95)
        for file in files {
            do {
                let value = try parser.parse(file.bytes)
                // What we write must read back to the same value.
                XCTAssertEqual(try parser.parse(value.encoded()), value, file.name)
            } catch {
                XCTFail(file.name + ": " + error.description)
            }
        }
    }

    func testRejectsEveryNFile() throws {
        let files = try suiteFiles(prefix: "n_")
        XCTAssertEqual(files.count, 188)
        for file in files {
            do throws(JSONParseError) {
                let value = try parser.parse(file.bytes)
                XCTFail(file.name + " was accepted as " + value.encodedString())
            } catch {
                XCTAssertLessThanOrEqual(error.offset, file.bytes.count, file.name)
            }
        }
    }

    func testSurvivesEveryIFile() throws {
        let files = try suiteFiles(prefix: "i_")
        XCTAssertEqual(files.count, 35)
        var accepted = 0
        for file in files {
            if (try? parser.parse(file.bytes)) != nil { accepted += 1 }
        }
        // Recorded so a change of policy is visible: the three huge integers become doubles,
        // the two underflowing doubles become 0; the rest (bad UTF-8, lone surrogates, BOM,
        // 500 levels, overflowing doubles) are rejected.
        XCTAssertEqual(accepted, 5)
    }
}
