import PerchDaemonCore
import XCTest

final class InstanceIDTests: XCTestCase {
    func testIdsAre32LowercaseHexDigitsAndDiffer() throws {
        var seen = Set<String>()
        for _ in 0..<100 {
            let id = try InstanceID.make()
            XCTAssertTrue(InstanceID.isWellFormed(id), id)
            XCTAssertEqual(id.count, 32)
            seen.insert(id)
        }
        XCTAssertEqual(seen.count, 100)
        // 128 random bits: every hex digit turns up among 100 ids.
        XCTAssertEqual(Set(seen.joined()).count, 16)
    }

    func testWhatIsNotAnId() {
        for text in ["", "abc", String(repeating: "a", count: 31), String(repeating: "a", count: 33),
                     String(repeating: "A", count: 32), String(repeating: "g", count: 32), String(repeating: "é", count: 16)] {
            XCTAssertFalse(InstanceID.isWellFormed(text), text)
        }
        XCTAssertTrue(InstanceID.isWellFormed("0123456789abcdef0123456789abcdef"))
    }
}
