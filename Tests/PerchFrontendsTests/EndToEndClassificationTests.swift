import XCTest
import PerchRuntime
@testable import PerchFrontends
import PerchMedia

/// Frontends into real models: what the pipeline produces must mean to the model what the
/// training data meant.
final class EndToEndClassificationTests: XCTestCase {
    func interpreter(_ model: String) throws -> Interpreter {
        try Interpreter(modelBytes: try SharedData.bytes("models/" + model + "/model.tflite"))
    }

    func argmax(_ output: UnsafeMutableRawBufferPointer) -> (index: Int, scores: [Int8]) {
        let scores = output.map { Int8(bitPattern: $0) }
        return (scores.indices.max { scores[$0] < scores[$1] }!, scores)
    }

    /// micro_speech's labels are (silence, unknown, yes, no).
    func testPerchFeaturesOfRealRecordingsClassifyAsTheirWords() throws {
        let model = try interpreter("micro_speech_quantized")
        for (file, expected) in [("yes", 2), ("no", 3), ("silence", 0)] {
            let wav = try SharedData.wav("data/" + file + "_1000ms.wav")
            XCTAssertEqual(wav.sampleRate, 16_000)
            let extractor = try AudioFeatureExtractor()
            var features: [Int8] = []
            extractor.process(wav.samples) { features.append(contentsOf: $0) }
            XCTAssertEqual(features.count, 49 * 40, file)
            features.withUnsafeBytes { model.input(0).copyMemory(from: $0) }
            model.invoke()
            let result = argmax(model.output(0))
            XCTAssertEqual(result.index, expected, "\(file): scores \(result.scores)")
        }
    }

    /// A 48 kHz stereo recording goes through the resampler first and still means "yes".
    func testResampledRecordingStillClassifies() throws {
        let model = try interpreter("micro_speech_quantized")
        let wav = try SharedData.wav("data/yes_1000ms.wav")
        // 3x upsampling by repetition, two channels: crude, but a 48 kHz stereo stream.
        var stereo48: [Int16] = []
        for s in wav.samples { for _ in 0..<6 { stereo48.append(s) } }
        let resampler = try Resampler(inputRate: 48_000, outputRate: 16_000, channels: 2)
        var mono16: [Int16] = []
        resampler.process(stereo48) { mono16.append(contentsOf: $0) }
        let extractor = try AudioFeatureExtractor()
        var features: [Int8] = []
        extractor.process(mono16) { features.append(contentsOf: $0) }
        XCTAssertGreaterThanOrEqual(features.count, 48 * 40)
        var input = [Int8](repeating: -128, count: 49 * 40)
        for i in 0..<min(features.count, input.count) { input[i] = features[i] }
        input.withUnsafeBytes { model.input(0).copyMemory(from: $0) }
        model.invoke()
        let result = argmax(model.output(0))
        XCTAssertEqual(result.index, 2, "scores \(result.scores)")
    }

    /// person.bmp / no_person.bmp in a 320x240 RGB camera frame, through the default centre
    /// crop (which includes background around the picture), into person_detect.
    func testPersonInACameraFrameIsDetected() throws {
        let model = try interpreter("person_detect")
        let input = model.inputs[0]
        let geometry = try ImageTensorGeometry(shape: input.shape, type: input.type, quantization: input.quantization)
        for (name, expected) in [("person", 1), ("no_person", 0)] {
            let bmp = try SharedData.image("data/" + name + ".bmp")
            let frame = ImagePipelineTests.personFrame(ImagePipelineTests.truePicture(bmp))
            let pipeline = try ImagePipeline(geometry: geometry, normalization: .minus128)
            let tensor = try pipeline.run(frame)
            XCTAssertEqual(pipeline.lastRegion, PixelRect(x: 40, y: 0, width: 240, height: 240))
            tensor.withUnsafeBytes { model.input(0).copyMemory(from: $0) }
            model.invoke()
            let result = argmax(model.output(0))
            XCTAssertEqual(result.index, expected, "\(name): scores \(result.scores)")
        }
    }

    /// The vww model on the Grace Hopper photo, whole frame area-resized to 96x96 RGB.
    func testVisualWakeWordsSeesAPersonInAPhoto() throws {
        let model = try interpreter("vww_96_int8")
        let input = model.inputs[0]
        let geometry = try ImageTensorGeometry(shape: input.shape, type: input.type, quantization: input.quantization)
        let photo = try SharedData.image("data/grace_hopper.bmp")
        let pipeline = try ImagePipeline(geometry: geometry, region: .full, resize: .area, normalization: .unit)
        let tensor = try pipeline.run(photo)
        tensor.withUnsafeBytes { model.input(0).copyMemory(from: $0) }
        model.invoke()
        let result = argmax(model.output(0))
        XCTAssertEqual(result.index, 1, "scores \(result.scores)")
    }
}
