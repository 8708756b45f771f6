import XCTest
import Foundation

/// `perch model info|run` on the default model shipped in models/perch-av.
final class DefaultModelCommandTests: XCTestCase {
    struct Manifest: Decodable {
        struct Sample: Decodable { let name: String; let inputs: [String]; let outputs: [String] }
        let samples: [Sample]
    }

    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models/perch-av")
    }

    func testInfoShowsTheDefaultModelRunnableWithBothInputs() throws {
        let result = try runProduct("perch", ["model", "info", Self.folder.appendingPathComponent("model.tflite").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("int8 [1, 64, 64, 3]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("int8 [1, 49, 40]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("int8 [1, 2]"), result.stdout)
        for op in ["BATCH_MATMUL", "SOFTMAX", "RSQRT", "LOGISTIC"] {
            XCTAssertTrue(result.stdout.contains(op), "\(op) missing from:\n\(result.stdout)")
        }
        XCTAssertTrue(result.stdout.contains("multiply-accumulates per inference: "), result.stdout)
        XCTAssertTrue(result.stdout.contains("runnable: yes"), result.stdout)
    }

    func testRunReproducesEveryReferenceSample() throws {
        let manifest = try JSONDecoder().decode(Manifest.self,
                                                from: Data(contentsOf: Self.folder.appendingPathComponent("manifest.json")))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("perch-av-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for sample in manifest.samples {
            var arguments = ["model", "run", Self.folder.appendingPathComponent("model.tflite").path]
            for file in sample.inputs { arguments += ["--input", Self.folder.appendingPathComponent(file).path] }
            for o in sample.outputs.indices { arguments += ["--output", scratch.appendingPathComponent("out-\(o).bin").path] }
            let result = try runProduct("perch", arguments)
            XCTAssertEqual(result.status, 0, "\(sample.name): \(result.stderr)")
            for (o, file) in sample.outputs.enumerated() {
                XCTAssertEqual(try Data(contentsOf: scratch.appendingPathComponent("out-\(o).bin")),
                               try Data(contentsOf: Self.folder.appendingPathComponent(file)), "\(sample.name) output \(o)")
            }
        }
    }
}
