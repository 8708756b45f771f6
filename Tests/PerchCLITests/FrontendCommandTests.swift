import XCTest
import Foundation

/// `perch audio` / `perch image` end to end through the built executable.
final class FrontendCommandTests: XCTestCase {
    func shared(_ relative: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
        let path = root.appendingPathComponent(relative).path
        if FileManager.default.fileExists(atPath: path) { return path }
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("shared data missing: " + path) }
        throw XCTSkip("shared data missing: " + path)
    }

    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("perch-" + UUID().uuidString + "-" + name).path
    }

    func testAudioFeaturesEqualOracle() throws {
        let wav = try shared("data/no_1000ms.wav")
        let expected = try Data(contentsOf: URL(fileURLWithPath: try shared("data/no_1000ms.features-49x40-int8.bin")))
        let out = temporary("no.bin")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try runProduct("perch", ["audio", "features", wav, "--output", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), expected)
    }

    func testImageTensorOfTFLMPersonBMP() throws {
        let bmp = try shared("data/person.bmp")
        let expected = try Data(contentsOf: URL(fileURLWithPath: try shared("models/person_detect/in-person-0.bin")))
        let out = temporary("person.bin")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try runProduct("perch", ["image", "tensor", bmp, "--width", "96", "--height", "96", "--channels", "1",
                                              "--scale", "0.0078431377", "--zero-point", "-1", "--signed-pixels",
                                              "--output", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), expected)
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try runProduct("perch", ["audio", "features", "x.wav"]).status, 2)
        XCTAssertEqual(try runProduct("perch", ["image", "tensor", "x.bmp", "--output", "y"]).status, 2)
        XCTAssertEqual(try runProduct("perch", ["image", "tensor", "x.bmp", "--output", "y", "--width", "9",
                                                "--height", "9", "--crop", "bad"]).status, 2)
        XCTAssertEqual(try runProduct("perch", ["audio", "features", "/nonexistent.wav", "--output", "y"]).status, 1)
    }
}
