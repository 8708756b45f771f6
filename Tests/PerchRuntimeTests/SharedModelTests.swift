import Foundation
import XCTest
@testable import PerchRuntime

// MARK: - The shared reference models

/// `../shared/models` next to the package root: real int8 models with manifests and
/// reference outputs from TFLite Micro (see its README.md).
enum SharedModels {
    struct TensorSpec: Decodable {
        let shape: [Int]
        let dtype: String
        let scales: [Double]
        let zero_points: [Int]
    }
    struct Sample: Decodable {
        let name: String
        let inputs: [String]
        let outputs: [String]
    }
    struct Manifest: Decodable {
        let model: String
        let inputs: [TensorSpec]
        let outputs: [TensorSpec]
        let samples: [Sample]
    }
    struct Folder {
        let name: String
        let url: URL
        let manifest: Manifest
        var modelURL: URL { url.appendingPathComponent(manifest.model) }
        func modelBytes() throws -> [UInt8] { [UInt8](try Data(contentsOf: modelURL)) }
        func bytes(_ file: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: url.appendingPathComponent(file))) }
    }

    static var modelsDirectory: URL {
        // Tests/PerchRuntimeTests/<file> -> package root -> ../shared/models
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared").appendingPathComponent("models")
    }

    /// Every model folder. Missing data skips the test locally but fails it on CI.
    static func folders(file: StaticString = #filePath, line: UInt = #line) throws -> [Folder] {
        let directory = modelsDirectory
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var folders: [Folder] = []
        for name in names.sorted() {
            let url = directory.appendingPathComponent(name)
            let manifestURL = url.appendingPathComponent("manifest.json")
            guard let data = try? Data(contentsOf: manifestURL) else { continue }
            folders.append(Folder(name: name, url: url, manifest: try JSONDecoder().decode(Manifest.self, from: data)))
        }
        if folders.isEmpty {
            let reason = "no shared models at \(directory.path) (expected ../shared/models/*/manifest.json beside the package)"
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail(reason, file: file, line: line)
            }
            throw XCTSkip(reason)
        }
        return folders
    }

    static func folder(_ name: String) throws -> Folder {
        guard let f = try folders().first(where: { $0.name == name }) else {
            throw XCTSkip("shared model \(name) is not present")
        }
        return f
    }
}

/// Names of all operators `makeKernel` cannot prepare yet, with their nodes ("DIV@4").
func missingOperators(in model: LoadedModel) -> [String] {
    let arena = AlignedAllocation(count: model.arenaBytes)
    let tensors = model.resolveTensors(arena: arena.pointer)
    var missing: [String] = []
    for node in 0..<model.operatorCount {
        do {
            _ = try makeKernel(model.prepareContext(node: node, tensors: tensors))
        } catch {
            if case .unsupportedOperator(let name, let index) = error { missing.append("\(name)@\(index)") }
        }
    }
    return missing
}

// MARK: - Bit-exact outputs

final class SharedModelTests: XCTestCase {
    /// Every sample of every model must reproduce TFLite Micro's output byte for byte.
    func testOutputsMatchReferenceBitForBit() throws {
        for folder in try SharedModels.folders() {
            let bytes = try folder.modelBytes()
            let interpreter: Interpreter
            do {
                interpreter = try Interpreter(modelBytes: bytes)
            } catch {
                if case .unsupportedOperator = error, let model = try? LoadedModel(modelBytes: bytes) {
                    XCTFail("\(folder.name): \(error.description); all missing kernels: "
                            + missingOperators(in: model).joined(separator: ", "))
                } else {
                    XCTFail("\(folder.name): \(error.description)")
                }
                continue
            }
            XCTAssertEqual(interpreter.inputs.count, folder.manifest.inputs.count, folder.name)
            XCTAssertEqual(interpreter.outputs.count, folder.manifest.outputs.count, folder.name)
            for sample in folder.manifest.samples {
                try run(sample, of: folder, on: interpreter)
            }
        }
    }

    private func run(_ sample: SharedModels.Sample, of folder: SharedModels.Folder, on interpreter: Interpreter) throws {
        let label = "\(folder.name) sample \(sample.name)"
        for (i, file) in sample.inputs.enumerated() {
            let data = try folder.bytes(file)
            let input = interpreter.input(i)
            guard data.count == input.count else {
                return XCTFail("\(label): \(file) has \(data.count) bytes but input \(i) holds \(input.count)")
            }
            input.copyBytes(from: data)
        }
        interpreter.invoke()
        for (o, file) in sample.outputs.enumerated() {
            let expected = try folder.bytes(file)
            let actual = Array(UnsafeRawBufferPointer(interpreter.output(o)))
            guard expected.count == actual.count else {
                XCTFail("\(label): output \(o) has \(actual.count) bytes, \(file) has \(expected.count)")
                continue
            }
            if let index = expected.indices.first(where: { expected[$0] != actual[$0] }) {
                let mismatches = zip(expected, actual).filter { $0 != $1 }.count
                XCTFail("\(label): output \(o) differs from \(file) at byte \(index): expected "
                        + "\(Int8(bitPattern: expected[index])) got \(Int8(bitPattern: actual[index])) "
                        + "(as int8; \(mismatches) of \(expected.count) bytes differ)")
            }
        }
    }

    /// Invoking twice with the same input gives the same output (no state leaks between runs).
    func testInvokeIsRepeatable() throws {
        for folder in try SharedModels.folders() {
            guard let interpreter = try? Interpreter(modelBytes: try folder.modelBytes()),
                  let sample = folder.manifest.samples.first else { continue }
            // Input memory may be reused once the input is consumed, so write it before each run.
            for (i, file) in sample.inputs.enumerated() { interpreter.input(i).copyBytes(from: try folder.bytes(file)) }
            interpreter.invoke()
            let first = (0..<interpreter.outputs.count).map { Array(UnsafeRawBufferPointer(interpreter.output($0))) }
            for (i, file) in sample.inputs.enumerated() { interpreter.input(i).copyBytes(from: try folder.bytes(file)) }
            interpreter.invoke()
            let second = (0..<interpreter.outputs.count).map { Array(UnsafeRawBufferPointer(interpreter.output($0))) }
            XCTAssertEqual(first, second, folder.name)
        }
    }
}
