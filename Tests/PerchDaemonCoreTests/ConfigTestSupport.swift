import XCTest
@testable import PerchDaemonCore

/// The repository's example configuration, which the tests hold to its documented meaning.
func exampleConfigurationPath() -> String {
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    return tests.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/perchd.conf").path
}

/// Parses `text` as `perchd.conf`, expecting failure; returns each diagnostic's text.
func configErrors(_ text: String, overrides: [ConfigOverride] = [],
                  file: StaticString = #filePath, line: UInt = #line) -> [String] {
    do {
        let configuration = try Configuration.parse(text, file: "perchd.conf", overrides: overrides)
        XCTFail("expected errors, got a valid configuration:\n" + configuration.summary, file: file, line: line)
        return []
    } catch {
        return error.diagnostics.map { $0.description }
    }
}

/// Parses `text` as `perchd.conf`, expecting success.
func validConfiguration(_ text: String, overrides: [ConfigOverride] = [],
                        file: StaticString = #filePath, line: UInt = #line) -> Configuration? {
    do {
        return try Configuration.parse(text, file: "perchd.conf", overrides: overrides)
    } catch {
        XCTFail("unexpected errors:\n" + error.description, file: file, line: line)
        return nil
    }
}

/// A small valid configuration that error tests extend with one mistake at a time.
let minimalConfiguration = """
[camera]
device = test-pattern

[model person]
file = person.tflite
input.0 = camera
labels = background, person

"""

/// A value shared between a test and the threads it starts; the test synchronises access
/// (by joining) so the box only silences the Sendable checker.
final class SharedBox<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
