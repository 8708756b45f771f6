import XCTest
@testable import PerchDaemonCore

/// `[record]`: values, defaults and the checks against other sections.
final class RecordConfigTests: XCTestCase {
    let base = minimalConfiguration + "[rule person.person]\non = 0.7\noff = 0.5\n"

    func testDefaultsAndValues() throws {
        let defaults = try XCTUnwrap(validConfiguration(base + "[record]\ndirectory = /data\n")?.record)
        XCTAssertEqual(defaults, RecordConfig(directory: "/data"))
        XCTAssertEqual(defaults.budgetBytes, 100 * 1_048_576)
        let record = try XCTUnwrap(validConfiguration(base + """
            [record]
            directory = /data
            budget-mb = 5
            events = person.person
            on-demand = false
            pre-seconds = 2
            post-seconds = 3
            camera = camera
            model = person
            queue = 2
            """)?.record)
        XCTAssertEqual(record.budgetBytes, 5 * 1_048_576)
        XCTAssertEqual(record.events, ["person.person"])
        XCTAssertFalse(record.onDemand)
        XCTAssertEqual([record.preSeconds, record.postSeconds, record.queue], [2, 3, 2])
        XCTAssertEqual(record.camera, "camera")
        XCTAssertNil(record.microphone)
    }

    func testErrorsNameTheKey() {
        let errors = configErrors(base + """
            [record]
            budget-mb = 0
            events = person.persn
            microphone = mic
            on-demand = false
            """)
        XCTAssertTrue(errors.contains { $0.contains("[record] directory: required key missing") }, errors.joined(separator: "\n"))
        XCTAssertTrue(errors.contains { $0.contains("[record] budget-mb: expected an integer from 1 to 1000000") },
                      errors.joined(separator: "\n"))
        let crossErrors = configErrors(base + "[record]\ndirectory = /d\nevents = person.persn\nmicrophone = mic\n")
        XCTAssertTrue(crossErrors.contains { $0.contains("[record] events: unknown rule \"person.persn\"") },
                      crossErrors.joined(separator: "\n"))
        XCTAssertTrue(crossErrors.contains { $0.contains("[record] microphone: unknown microphone \"mic\"") },
                      crossErrors.joined(separator: "\n"))
        let nothing = configErrors(base + "[record]\ndirectory = /d\non-demand = false\n")
        XCTAssertTrue(nothing.contains { $0.contains("nothing would be recorded") }, nothing.joined(separator: "\n"))
    }
}
