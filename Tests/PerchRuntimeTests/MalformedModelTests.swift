import Foundation
import XCTest
@testable import PerchRuntime

/// Hostile-input tests: truncated and byte-flipped copies of every shared model must
/// either load or throw a `ModelError`. A trap anywhere (reader, planner, kernel
/// prepare) kills the test process, so reaching the end is the assertion.
///
/// Set PERCH_MUTATION_TRACE=1 to print each mutation before it is tried, so the last
/// line printed names the mutation that crashed. Set PERCH_MUTATION_INVOKE=1 to also run
/// every mutated model that prepares (slow; best under `swift test --sanitize=address`).
final class MalformedModelTests: XCTestCase {
    /// Arena cap for mutated models: a flipped shape byte can ask for gigabytes, and
    /// zero-filling hundreds of megabytes thousands of times would only make the test slow.
    private let arenaLimit = 16 << 20
    private let trace = ProcessInfo.processInfo.environment["PERCH_MUTATION_TRACE"] != nil
    private let invoke = ProcessInfo.processInfo.environment["PERCH_MUTATION_INVOKE"] != nil

    private struct Outcome {
        var loaded = 0
        var prepared = 0
        var rejected: [String: Int] = [:]

        mutating func record(_ error: ModelError) {
            let kind: String
            switch error {
            case .malformed: kind = "malformed"
            case .inconsistent: kind = "inconsistent"
            case .unsupportedOperator: kind = "unsupportedOperator"
            case .unsupportedType: kind = "unsupportedType"
            case .shapeMismatch: kind = "shapeMismatch"
            case .invalidNode: kind = "invalidNode"
            }
            rejected[kind, default: 0] += 1
        }
    }

    /// Loads `bytes` and prepares every kernel that exists; never invokes (a mutated model
    /// that passes validation may still compute garbage, but must not crash).
    private func tryLoad(_ bytes: [UInt8], _ outcome: inout Outcome, _ label: @autoclosure () -> String) {
        if trace { print("[mutation] " + label()) }
        do {
            let model = try LoadedModel(modelBytes: bytes, arenaLimit: arenaLimit)
            outcome.loaded += 1
            _ = model.summary
            do {
                let interpreter = try Interpreter(model: model)
                outcome.prepared += 1
                if invoke { interpreter.invoke() }
            } catch {
                outcome.record(error)
            }
        } catch {
            outcome.record(error)
        }
    }

    func testTruncatedModelsFailCleanly() throws {
        for folder in try SharedModels.folders() {
            let bytes = try folder.modelBytes()
            var outcome = Outcome()
            var lengths = Set(0..<min(64, bytes.count))
            for step in 0..<200 { lengths.insert(bytes.count * step / 200) }
            lengths.insert(bytes.count - 1)
            for length in lengths.sorted() {
                tryLoad(Array(bytes[..<length]), &outcome, "\(folder.name) truncated to \(length) bytes")
            }
            // The whole file and nothing else must load.
            XCTAssertEqual(outcome.loaded, 0, "\(folder.name): a truncated model loaded")
            print("[perch] \(folder.name) truncations: \(outcome.rejected)")
        }
    }

    func testByteFlippedModelsFailCleanly() throws {
        let folders = try SharedModels.folders()
        let mutationsPerModel = 3000 / max(folders.count, 1)
        for (index, folder) in folders.enumerated() {
            let original = try folder.modelBytes()
            var rng = SplitMix64(seed: 0x5EED + UInt64(index))
            var outcome = Outcome()
            // The flatbuffer's structure (root, vtables, offsets, lengths) sits mostly outside
            // the big weight buffers, so half the flips target the first and last 4 KiB.
            for m in 0..<mutationsPerModel {
                var bytes = original
                let flips = 1 + Int(rng.next() % 4)
                var description = ""
                for _ in 0..<flips {
                    let position: Int
                    switch rng.next() % 4 {
                    case 0: position = Int(rng.next() % UInt64(min(4096, bytes.count)))
                    case 1: position = bytes.count - 1 - Int(rng.next() % UInt64(min(4096, bytes.count)))
                    default: position = Int(rng.next() % UInt64(bytes.count))
                    }
                    let value: UInt8
                    switch rng.next() % 4 {
                    case 0: value = 0xFF
                    case 1: value = 0x00
                    case 2: value = bytes[position] ^ (1 << UInt8(rng.next() % 8))
                    default: value = UInt8(truncatingIfNeeded: rng.next())
                    }
                    bytes[position] = value
                    description += " [\(position)]=\(value)"
                }
                tryLoad(bytes, &outcome, "\(folder.name) mutation \(m):" + description)
            }
            print("[perch] \(folder.name) \(mutationsPerModel) byte flips: loaded \(outcome.loaded), "
                  + "prepared \(outcome.prepared), rejected \(outcome.rejected)")
            // Not crashing is not enough: flips in the flatbuffer's structure must be caught, so
            // a loader that accepted every mutation fails here.
            let rejected = outcome.rejected.values.reduce(0, +)
            XCTAssertGreaterThan(rejected, 0, "\(folder.name): none of \(mutationsPerModel) byte flips was rejected")
            // Every mutation ends either rejected (at load or prepare) or prepared.
            XCTAssertEqual(rejected + outcome.prepared, mutationsPerModel, "\(folder.name): mutations unaccounted for")
        }
    }

    func testGarbageIsRejected() {
        var rng = SplitMix64(seed: 1)
        var outcome = Outcome()
        for length in [0, 1, 4, 7, 8, 16, 100, 1000] {
            for _ in 0..<20 {
                var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if length >= 8 { bytes.replaceSubrange(4..<8, with: Array("TFL3".utf8)) }
                tryLoad(bytes, &outcome, "garbage of \(length) bytes")
            }
        }
        XCTAssertEqual(outcome.loaded, 0)
    }
}
