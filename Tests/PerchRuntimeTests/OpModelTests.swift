import Foundation
import XCTest
@testable import PerchRuntime

/// The single-operator models in OpModels/ (made by tools/opmodels/make_op_models.py): every
/// sample must reproduce TFLite Micro's reference output byte for byte.
final class OpModelTests: XCTestCase {
    struct Node: Decodable {
        let op: String
        let inputs: [String]
        let outputs: [String]
        let weights: String?
    }
    struct Manifest: Decodable {
        let model: String
        let operators: [String]
        let nodes: [Node]
        let inputs: [SharedModels.TensorSpec]
        let outputs: [SharedModels.TensorSpec]
        let samples: [SharedModels.Sample]
    }

    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("OpModels")
    }

    /// Every model folder with its manifest; the folder is part of the repository, so none is a failure.
    func modelFolders() throws -> [(name: String, url: URL, manifest: Manifest)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted()
        var folders: [(String, URL, Manifest)] = []
        for name in names {
            let url = Self.directory.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url.appendingPathComponent("manifest.json")) else { continue }
            folders.append((name, url, try JSONDecoder().decode(Manifest.self, from: data)))
        }
        XCTAssertFalse(folders.isEmpty, "no op models in \(Self.directory.path)")
        return folders
    }

    func testEveryOpModelMatchesTFLiteMicro() throws {
        var failedModels: [String] = []
        for (name, url, manifest) in try modelFolders() {
            let before = testRun?.totalFailureCount ?? 0
            try check(name, url, manifest)
            if (testRun?.totalFailureCount ?? 0) > before { failedModels.append(name) }
        }
        XCTAssertTrue(failedModels.isEmpty, "op models that differ: " + failedModels.joined(separator: ", "))
    }

    /// The operators Perch must run (the list), and the variants that need their own
    /// model: a regenerated set that loses one fails here rather than silently.
    func testOpModelsCoverTheOperatorList() throws {
        let required = [
            "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE",
            "SOFTMAX", "TRANSPOSE", "BATCH_MATMUL", "ADD", "SUB", "MUL", "MEAN", "RSQRT", "QUANTIZE", "DEQUANTIZE",
            "PAD", "CONCATENATION", "LOGISTIC", "TANH", "HARD_SWISH", "RELU", "RELU6", "STRIDED_SLICE", "SQUEEZE",
        ]
        var seen = Set<String>()
        for (_, _, manifest) in try modelFolders() {
            for node in manifest.nodes {
                seen.insert(node.op)
                seen.insert("\(node.op) \(node.inputs[0])->\(node.outputs[0])")
                if let weights = node.weights { seen.insert("\(node.op) \(weights)") }
            }
        }
        var variants = [
            "QUANTIZE int8->uint8", "QUANTIZE uint8->int8", "QUANTIZE float32->int8", "QUANTIZE int8->int8",
            "DEQUANTIZE int8->float32", "DEQUANTIZE uint8->float32",
        ]
        for op in ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"] {
            variants += ["\(op) per-channel", "\(op) per-tensor"]
        }
        let missing = (required + variants).filter { !seen.contains($0) }
        XCTAssertTrue(missing.isEmpty, "no op model has: " + missing.joined(separator: ", "))
    }

    private func check(_ name: String, _ url: URL, _ manifest: Manifest) throws {
        let ops = manifest.operators.joined(separator: " ")
        let bytes = [UInt8](try Data(contentsOf: url.appendingPathComponent(manifest.model)))
        let interpreter: Interpreter
        do {
            interpreter = try Interpreter(modelBytes: bytes)
        } catch {
            return XCTFail("\(name) [\(ops)]: \(error.description)")
        }
        XCTAssertEqual(interpreter.inputs.count, manifest.inputs.count, name)
        XCTAssertEqual(interpreter.outputs.count, manifest.outputs.count, name)
        for sample in manifest.samples {
            let label = "\(name) [\(ops)] sample \(sample.name)"
            for (i, file) in sample.inputs.enumerated() {
                let data = try Data(contentsOf: url.appendingPathComponent(file))
                let input = interpreter.input(i)
                guard data.count == input.count else {
                    return XCTFail("\(label): \(file) has \(data.count) bytes, input \(i) holds \(input.count)")
                }
                input.copyBytes(from: data)
            }
            interpreter.invoke()
            for (o, file) in sample.outputs.enumerated() {
                let expected = [UInt8](try Data(contentsOf: url.appendingPathComponent(file)))
                let actual = Array(UnsafeRawBufferPointer(interpreter.output(o)))
                compare(expected, actual, dtype: manifest.outputs[o].dtype, label: "\(label) output \(o)")
            }
        }
    }

    /// Fails with the first differing elements (decoded as the output's dtype) and how many differ.
    private func compare(_ expected: [UInt8], _ actual: [UInt8], dtype: String, label: String) {
        guard expected.count == actual.count else {
            return XCTFail("\(label): \(actual.count) bytes, expected \(expected.count)")
        }
        let width = dtype == "float32" || dtype == "int32" ? 4 : 1
        var differing: [Int] = []
        for e in 0..<(expected.count / width) where expected[e * width..<(e + 1) * width] != actual[e * width..<(e + 1) * width] {
            differing.append(e)
        }
        guard !differing.isEmpty else { return }
        let shown = differing.prefix(6).map { e in
            "[\(e)] expected \(decode(expected, e, dtype)) got \(decode(actual, e, dtype))"
        }
        XCTFail("\(label): \(differing.count) of \(expected.count / width) elements differ: "
                + shown.joined(separator: ", "))
    }

    private func decode(_ bytes: [UInt8], _ e: Int, _ dtype: String) -> String {
        switch dtype {
        case "int8": return String(Int8(bitPattern: bytes[e]))
        case "uint8": return String(bytes[e])
        default:
            let raw = UInt32(bytes[4 * e]) | UInt32(bytes[4 * e + 1]) << 8 | UInt32(bytes[4 * e + 2]) << 16
                | UInt32(bytes[4 * e + 3]) << 24
            return dtype == "float32" ? String(Float(bitPattern: raw)) : String(Int32(bitPattern: raw))
        }
    }
}
