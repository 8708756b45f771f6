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
    func interpreter(_ bytes: [UInt8], threads: Int, splitAll: Bool, path: KernelPath? = nil) throws -> Interpreter {
        var options = try RuntimeSetup.options(threads: threads).get()
        if let path { options.kernelPath = path }
        if splitAll { options.minimumPartMultiplyAccumulates = 1 }
        let interpreter = try Interpreter(modelBytes: bytes, options: options)
        XCTAssertEqual(interpreter.threads, threads, "the pool did not start")
        return interpreter
    }

    /// Runs `bytes` on one thread and on 2 and 3, on the same inputs (the samples', then a
    /// fixed pseudo-random fill: the pool is reused), and compares every output. Returns how
    /// many operators were split with 3 threads.
    @discardableResult
    func check(_ name: String, _ bytes: [UInt8], inputs: [[UInt8]]?, splitAll: Bool, path: KernelPath? = nil) throws -> Int {
        var options = try RuntimeSetup.options(threads: 1).get()
        if let path { options.kernelPath = path }
        let single = try Interpreter(modelBytes: bytes, options: options)
        let many = [try interpreter(bytes, threads: 2, splitAll: splitAll, path: path),
                    try interpreter(bytes, threads: 3, splitAll: splitAll, path: path)]
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

    /// On every kernel path this CPU runs: a path's tile height decides which small layers can
    /// be cut (AVX-512 VNNI's 8-row tiles leave the op models' BATCH_MATMULs whole).
    func testOpModelsGiveTheSameBytesOnEveryThreadCount() throws {
        var paths: [KernelPath] = [.widening]
        let best = RuntimeSetup.detectedKernelPath
        if best != .widening { paths.append(best) }
        if best != .avx2 && KernelPath.avx2CompiledIn && RuntimeSetup.cpuHasAVX2 { paths.append(.avx2) }
        var splitOps = Set<String>()
        for path in paths { splitOps.formUnion(try opModelsSplit(path: path)) }
        for op in ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "BATCH_MATMUL"] {
            XCTAssertTrue(splitOps.contains(op), "no op model split a " + op + " on " + paths.map { $0.name }.joined(separator: ", "))
        }
    }

    /// Checks every op model on `path`; returns the operators of those that had a layer split.
    func opModelsSplit(path: KernelPath) throws -> Set<String> {
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
            if try check(name + " (" + path.name + ")", bytes, inputs: sample, splitAll: true, path: path) > 0 {
                splitOps.formUnion(manifest.operators)
            }
        }
        return splitOps
    }
}
