import Foundation
import XCTest
@testable import PerchRuntime
import PerchRuntimeSetup

/// Outputs with 2 and 3 threads are byte-identical to one thread's, on every shared model and
/// every op model, with every splittable layer split (a minimum part of one multiply-accumulate
/// instead of the default's 32 K), so the small op models' CONV_2D, FULLY_CONNECTED,
/// BATCH_MATMUL and DEPTHWISE_CONV_2D kernels are cut too. (The default split cuts a subset of
/// these layers the same way; check-models.sh with THREADS runs the defaults in tools/test.sh.)
final class ThreadedInferenceTests: XCTestCase {
    func interpreter(_ bytes: [UInt8], threads: Int, splitAll: Bool) throws -> Interpreter {
        var options = try RuntimeSetup.options(threads: threads).get()
        if splitAll { options.minimumPartMultiplyAccumulates = 1 }
        let interpreter = try Interpreter(modelBytes: bytes, options: options)
        XCTAssertEqual(interpreter.threads, threads, "the pool did not start")
        return interpreter
    }

    /// Runs `bytes` on one thread and on 2 and 3, on the same inputs (the samples', then a
    /// fixed pseudo-random fill: the pool is reused), and compares every output. Returns how
    /// many operators were split with 3 threads.
    @discardableResult
    func check(_ name: String, _ bytes: [UInt8], inputs: [[UInt8]]?, splitAll: Bool) throws -> Int {
        let single = try Interpreter(modelBytes: bytes, options: try RuntimeSetup.options(threads: 1).get())
        let many = [try interpreter(bytes, threads: 2, splitAll: splitAll), try interpreter(bytes, threads: 3, splitAll: splitAll)]
        var generator = SplitMix64(seed: 7)
        for round in 0..<2 {
            for i in 0..<single.inputs.count {
                let data = round == 0 ? inputs?[i] ?? [] : []
                let fill = !data.isEmpty ? data
                    : (0..<single.input(i).count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                single.input(i).copyBytes(from: fill)
                for m in many { m.input(i).copyBytes(from: fill) }
            }
            single.invoke()
            for m in many {
                m.invoke()
                for o in 0..<single.outputs.count {
                    let a = Array(UnsafeRawBufferPointer(single.output(o)))
                    let b = Array(UnsafeRawBufferPointer(m.output(o)))
                    let differing = zip(a, b).filter { $0 != $1 }.count
                    XCTAssertEqual(differing, 0, "\(name): output \(o) with \(m.threads) threads (split all: \(splitAll), round \(round))")
                }
            }
        }
        return many[1].splitOperatorCount
    }

    func testSharedModelsGiveTheSameBytesOnEveryThreadCount() throws {
        var totalSplit = 0
        for folder in try SharedModels.folders() {
            let bytes = try folder.modelBytes()
            let sample = try folder.manifest.samples.first.map { s in try s.inputs.map { try folder.bytes($0) } }
            totalSplit += try check(folder.name, bytes, inputs: sample, splitAll: true)
        }
        XCTAssertGreaterThan(totalSplit, 0, "no operator was split: the test compared one thread with itself")
    }

    func testOpModelsGiveTheSameBytesOnEveryThreadCount() throws {
        let directory = OpModelTests.directory
        var splitOps = Set<String>()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() {
            let url = directory.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url.appendingPathComponent("manifest.json")) else { continue }
            let manifest = try JSONDecoder().decode(OpModelTests.Manifest.self, from: data)
            let bytes = [UInt8](try Data(contentsOf: url.appendingPathComponent(manifest.model)))
            guard (try? Interpreter(modelBytes: bytes)) != nil else { continue }  // OpModelTests reports those
            let sample = try manifest.samples.first.map { s in
                try s.inputs.map { [UInt8](try Data(contentsOf: url.appendingPathComponent($0))) }
            }
            if try check(name, bytes, inputs: sample, splitAll: true) > 0 { splitOps.formUnion(manifest.operators) }
        }
        for op in ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "BATCH_MATMUL"] {
            XCTAssertTrue(splitOps.contains(op), "no op model split a " + op)
        }
    }
}
