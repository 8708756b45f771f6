import XCTest
import Foundation

/// `perch model info|run` as used from scripts: exact interface, clear errors.
final class ModelCommandTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("perch-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// ../shared/models beside the package; fails on CI when missing, skips elsewhere.
    func sharedModel(_ name: String) throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("shared/models/\(name)")
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.tflite").path) else {
            let reason = "reference model \(folder.path) is missing"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(reason) }
            throw XCTSkip(reason)
        }
        return folder
    }

    func testInfoDescribesInputsOutputsOperatorsArenaAndMACs() throws {
        let folder = try sharedModel("person_detect")
        let result = try runProduct("perch", ["model", "info", folder.appendingPathComponent("model.tflite").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("int8 [1, 96, 96, 1]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("zero point -1"), result.stdout)
        XCTAssertTrue(result.stdout.contains("int8 [1, 2]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("DEPTHWISE_CONV_2D x14"), result.stdout)
        XCTAssertTrue(result.stdout.contains("multiply-accumulates per inference: 7157888"), result.stdout)
        XCTAssertTrue(result.stdout.contains("arena: "), result.stdout)
        XCTAssertTrue(result.stdout.contains("runnable: yes"), result.stdout)
    }

    func testRunWritesTheReferenceOutputForAMultiInputModel() throws {
        let folder = try sharedModel("multimodal_xattn")
        let out = scratch.appendingPathComponent("out.bin")
        let result = try runProduct("perch", [
            "model", "run", folder.appendingPathComponent("model.tflite").path,
            "--input", folder.appendingPathComponent("in-random1-0.bin").path,
            "--input", folder.appendingPathComponent("in-random1-1.bin").path,
            "--output", out.path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try Data(contentsOf: out), try Data(contentsOf: folder.appendingPathComponent("out-random1-0.bin")))
    }

    func testRunRejectsAnInputOfTheWrongSizeNamingBothSizes() throws {
        let folder = try sharedModel("person_detect")
        let short = scratch.appendingPathComponent("short.bin")
        try Data(repeating: 0, count: 100).write(to: short)
        let result = try runProduct("perch", [
            "model", "run", folder.appendingPathComponent("model.tflite").path,
            "--input", short.path, "--output", scratch.appendingPathComponent("o.bin").path,
        ])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("has 100 bytes; the model wants 9216 (int8 [1, 96, 96, 1])"), result.stderr)
    }

    func testRunRejectsAWrongNumberOfInputs() throws {
        let folder = try sharedModel("multimodal_xattn")
        let result = try runProduct("perch", [
            "model", "run", folder.appendingPathComponent("model.tflite").path,
            "--input", folder.appendingPathComponent("in-random1-0.bin").path,
            "--output", scratch.appendingPathComponent("o.bin").path,
        ])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("the model has 2 input(s); got 1 --input"), result.stderr)
    }

    func testAFileThatIsNotAModelIsReportedNotCrashedOn() throws {
        let junk = scratch.appendingPathComponent("junk.tflite")
        try Data("this is not a flatbuffer at all".utf8).write(to: junk)
        let result = try runProduct("perch", ["model", "info", junk.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("perch model: cannot load model"), result.stderr)

        let missing = try runProduct("perch", ["model", "info", scratch.appendingPathComponent("nope.tflite").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("No such file or directory"), missing.stderr)
    }
}
