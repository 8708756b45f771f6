import XCTest
@testable import PerchFrontends
import PerchMedia

/// Perch's features against TFLM's audio_preprocessor_int8.tflite output for real recordings.
final class AudioFeatureOracleTests: XCTestCase {
    func features(of wav: [UInt8]) throws -> [Int8] {
        let audio = try WAVFile.read(wav, path: "test.wav")
        XCTAssertEqual(audio.sampleRate, 16000)
        XCTAssertEqual(audio.channels, 1)
        let extractor = try AudioFeatureExtractor()
        var out: [Int8] = []
        extractor.process(audio.samples) { out.append(contentsOf: $0) }
        return out
    }

    func check(_ name: String) throws {
        let wav = try SharedData.bytes("data/" + name + "_1000ms.wav")
        let expected = try SharedData.bytes("data/" + name + "_1000ms.features-49x40-int8.bin").map { Int8(bitPattern: $0) }
        let actual = try features(of: wav)
        XCTAssertEqual(actual.count, 49 * 40, name)
        guard actual.count == expected.count else { return }
        var equal = 0
        var maxDiff = 0
        for i in 0..<actual.count {
            let d = abs(Int(actual[i]) - Int(expected[i]))
            if d == 0 { equal += 1 }
            maxDiff = max(maxDiff, d)
        }
        let fraction = Double(equal) / Double(actual.count)
        print(name + ": " + String(equal) + "/" + String(actual.count) + " equal, max diff " + String(maxDiff))
        XCTAssertGreaterThanOrEqual(fraction, 0.99, name)
        XCTAssertLessThanOrEqual(maxDiff, 1, name)
        XCTAssertEqual(equal, actual.count, name + " is not bit-exact")
    }

    func testYes() throws { try check("yes") }
    func testNo() throws { try check("no") }
    func testSilence() throws { try check("silence") }

    /// Chunk boundaries must not matter.
    func testChunkingDoesNotChangeFeatures() throws {
        let audio = try SharedData.wav("data/yes_1000ms.wav")
        let whole = try features(of: try SharedData.bytes("data/yes_1000ms.wav"))
        let extractor = try AudioFeatureExtractor()
        var out: [Int8] = []
        var index = 0
        var chunk = 1
        while index < audio.samples.count {
            let end = min(index + chunk, audio.samples.count)
            extractor.process(Array(audio.samples[index..<end])) { out.append(contentsOf: $0) }
            index = end
            chunk = chunk * 3 % 1001 + 1
        }
        XCTAssertEqual(out, whole)
    }
}
