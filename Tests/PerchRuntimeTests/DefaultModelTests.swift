import Foundation
import XCTest
@testable import PerchRuntime

/// The default model shipped in the repository (models/perch-av): its reference samples were
/// produced by TFLite Micro's reference kernels when tools/train/train.py wrote it, and Perch must
/// reproduce every output byte for byte. The files are part of the repository, so nothing skips.
final class DefaultModelTests: XCTestCase {
    struct Metadata: Decodable {
        struct Output: Decodable { let index: Int; let name: String; let shape: [Int] }
        let labels: [String]
        let sha256: String
        let attribution_output_index: Int
        let labels_output_index: Int
        let outputs: [Output]
    }

    static var folder: URL {
        // Tests/PerchRuntimeTests/<file> -> package root -> models/perch-av
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("models").appendingPathComponent("perch-av")
    }

    func load() throws -> (SharedModels.Manifest, [UInt8]) {
        let manifest = try JSONDecoder().decode(SharedModels.Manifest.self,
                                                from: Data(contentsOf: Self.folder.appendingPathComponent("manifest.json")))
        let bytes = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(manifest.model)))
        return (manifest, bytes)
    }

    func testEverySampleMatchesTFLiteMicroBitForBit() throws {
        let (manifest, bytes) = try load()
        let interpreter = try Interpreter(modelBytes: bytes)
        XCTAssertEqual(interpreter.inputs.count, manifest.inputs.count)
        XCTAssertEqual(interpreter.outputs.count, manifest.outputs.count)
        XCTAssertGreaterThanOrEqual(manifest.samples.count, 4)
        for sample in manifest.samples {
            for (i, file) in sample.inputs.enumerated() {
                let data = try Data(contentsOf: Self.folder.appendingPathComponent(file))
                let input = interpreter.input(i)
                XCTAssertEqual(data.count, input.count, "\(sample.name) input \(i)")
                guard data.count == input.count else { return }
                input.copyBytes(from: data)
            }
            interpreter.invoke()
            for (o, file) in sample.outputs.enumerated() {
                let expected = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
                let actual = Array(UnsafeRawBufferPointer(interpreter.output(o)))
                XCTAssertEqual(actual.map { Int8(bitPattern: $0) }, expected.map { Int8(bitPattern: $0) },
                               "sample \(sample.name) output \(o) (\(file))")
            }
        }
    }

    /// The manifest, the metadata and the model agree: hash, output shapes, label count, and the
    /// attribution output (two modalities) is where the metadata says.
    func testMetadataDescribesTheModel() throws {
        let (manifest, bytes) = try load()
        let metadata = try JSONDecoder().decode(Metadata.self,
                                                from: Data(contentsOf: Self.folder.appendingPathComponent("metadata.json")))
        let labels = try String(contentsOf: Self.folder.appendingPathComponent("labels.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(labels, metadata.labels)
        XCTAssertEqual(metadata.sha256, sha256Hex(bytes))
        XCTAssertEqual(manifest.outputs[metadata.labels_output_index].shape, [1, labels.count])
        XCTAssertEqual(manifest.outputs[metadata.attribution_output_index].shape, [1, 2])
        XCTAssertEqual(metadata.outputs.map(\.index), [0, 1])
        XCTAssertLessThan(bytes.count, 1 << 20, "the default model must stay well under 1 MB")
        let model = try LoadedModel(modelBytes: bytes)
        XCTAssertEqual(missingOperators(in: model), [])
    }
}

/// SHA-256 (FIPS 180-4) of a byte array, as lowercase hex; small and only for tests.
func sha256Hex(_ message: [UInt8]) -> String {
    let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
    var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    var data = message
    let bitLength = UInt64(message.count) * 8
    data.append(0x80)
    while data.count % 64 != 56 { data.append(0) }
    for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
    func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
    var w = [UInt32](repeating: 0, count: 64)
    for chunk in stride(from: 0, to: data.count, by: 64) {
        for i in 0..<16 {
            w[i] = (0..<4).reduce(UInt32(0)) { ($0 << 8) | UInt32(data[chunk + i * 4 + $1]) }
        }
        for i in 16..<64 {
            let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
            let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
            w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
        }
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for i in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let t1 = hh &+ s1 &+ ((e & f) ^ (~e & g)) &+ k[i] &+ w[i]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let t2 = s0 &+ ((a & b) ^ (a & c) ^ (b & c))
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        h = zip(h, [a, b, c, d, e, f, g, hh]).map { $0 &+ $1 }
    }
    return h.map { String(format: "%08x", $0) }.joined()
}
