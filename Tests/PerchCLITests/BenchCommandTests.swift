import XCTest
import Foundation

/// `perch bench` as tools/bench/compare.py uses it: one JSON object with `median_ms`.
final class BenchCommandTests: XCTestCase {
    func sharedModel(_ name: String) throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let model = root.appendingPathComponent("shared/models/\(name)/model.tflite")
        guard FileManager.default.fileExists(atPath: model.path) else {
            let reason = "reference model \(model.path) is missing"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(reason) }
            throw XCTSkip(reason)
        }
        return model
    }

    func json(_ text: String) throws -> [String: Any] {
        let line = text.split(separator: "\n").last.map(String.init) ?? ""
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], text)
    }

    func testJSONHasMedianPerOperatorTimesAndTheKernelPath() throws {
        let model = try sharedModel("micro_speech_quantized")
        let result = try runProduct("perch", ["bench", model.path, "--json", "--runs", "5", "--warmup", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try json(result.stdout)
        let median = try XCTUnwrap(object["median_ms"] as? Double)
        XCTAssertGreaterThan(median, 0)
        XCTAssertEqual(object["macs"] as? Int, 336000)
        XCTAssertEqual(object["runs"] as? Int, 5)
        XCTAssertNotNil(object["kernel_path"] as? String)
        let operators = try XCTUnwrap(object["operators"] as? [[String: Any]])
        XCTAssertEqual(operators.map { $0["op"] as? String }, ["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"])
    }

    func testBatchesOfCalls() throws {
        let model = try sharedModel("hello_world_int8")
        let result = try runProduct("perch", ["bench", model.path, "--json", "--no-operators", "--runs", "6",
                                              "--batch", "3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try json(result.stdout)
        XCTAssertEqual(object["batch"] as? Int, 3)
        XCTAssertEqual(object["batches"] as? Int, 2)
        XCTAssertEqual(object["runs"] as? Int, 6)
        let byBatches = try json(try runProduct("perch", ["bench", model.path, "--json", "--no-operators",
                                                          "--batches", "4", "--batch", "5"]).stdout)
        XCTAssertEqual(byBatches["runs"] as? Int, 20)
        // Without --batch, a batch is as many calls as take about --batch-ms.
        let auto = try json(try runProduct("perch", ["bench", model.path, "--json", "--no-operators", "--batches", "3",
                                                     "--batch-ms", "0.5"]).stdout)
        XCTAssertGreaterThan(try XCTUnwrap(auto["batch"] as? Int), 1)
        XCTAssertEqual(try runProduct("perch", ["bench", model.path, "--runs", "4", "--batches", "2"]).status, 2)
        XCTAssertEqual(try runProduct("perch", ["bench", model.path, "--batch", "0"]).status, 2)
    }

    func testTextReportAndForcedPortablePath() throws {
        let model = try sharedModel("hello_world_int8")
        let result = try runProduct("perch", ["bench", model.path, "--runs", "3", "--kernel-path", "widening"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("kernel path: simd-widening"), result.stdout)
        XCTAssertTrue(result.stdout.contains("FULLY_CONNECTED"), result.stdout)
        XCTAssertTrue(result.stdout.contains("multiply-accumulates: 288"), result.stdout)
    }

    func testGemmMicroKernelMode() throws {
        let result = try runProduct("perch", ["bench", "--kernel", "gemm", "--m", "3", "--n", "5", "--k", "7",
                                              "--runs", "2", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try json(result.stdout)
        XCTAssertEqual(object["kernel"] as? String, "gemm")
        XCTAssertEqual(object["m"] as? Int, 3)
        XCTAssertNotNil(object["gmacs_per_s"] as? Double)
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try runProduct("perch", ["bench"]).status, 2)
        XCTAssertEqual(try runProduct("perch", ["bench", "--kernel", "fft"]).status, 2)
        XCTAssertEqual(try runProduct("perch", ["bench", "x.tflite", "--kernel-path", "avx9"]).status, 2)
        let missing = try runProduct("perch", ["bench", "/nonexistent/model.tflite"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("cannot read model"), missing.stderr)
    }
}
