import XCTest
import PerchSystem
@testable import PerchDaemonCore

/// `metadata.json` beside a model gives its `[model]` section's defaults.
final class ModelMetadataTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "perch-metadata-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/m", withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// The shipped model's own metadata file.
    func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path).path
    }

    func write(_ text: String, _ name: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    func load(_ modelSection: String) throws -> Configuration {
        try write("[camera]\ndevice = test-pattern\n[microphone]\ndevice = default\n[model av]\nfile = " + directory
                  + "/m/model.tflite\ninput.0 = camera\ninput.1 = microphone\n" + modelSection, "perchd.conf")
        return try Configuration.load(path: directory + "/perchd.conf")
    }

    func loadErrors(_ modelSection: String) throws -> [String] {
        do {
            _ = try load(modelSection)
            XCTFail("expected errors")
            return []
        } catch let error as ConfigErrors {
            return error.diagnostics.map { $0.description }
        }
    }

    func testShippedMetadataGivesLabelsOutputsAttributionAndNormalization() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: repositoryFile("models/perch-av/metadata.json"))))
        let metadata = try ModelMetadata.parse(bytes, path: "metadata.json").get()
        XCTAssertEqual(metadata.labels.count, 11)
        XCTAssertEqual(metadata.labels.first, "speech")
        XCTAssertEqual(metadata.scoresOutput, 1)
        XCTAssertEqual(metadata.attributionOutput, 0)
        XCTAssertEqual(metadata.attributionNames, ["image", "audio"])
        XCTAssertEqual(metadata.normalize, .unit)
        XCTAssertEqual(metadata.inputShapes, [[1, 64, 64, 3], [1, 49, 40]])
        XCTAssertEqual(metadata.outputShapes, [[1, 2], [1, 11]])
        XCTAssertEqual(metadata.audioLabels, ["speech", "doorbell", "smoke_alarm", "knock", "glass_break"])
    }

    func testSectionWithOnlyFileAndInputsTakesTheDefaults() throws {
        try FileManager.default.copyItem(atPath: repositoryFile("models/perch-av/metadata.json"),
                                         toPath: directory + "/m/metadata.json")
        let model = try XCTUnwrap(load("").model(named: "av"))
        XCTAssertEqual(model.labels?.count, 11)
        XCTAssertEqual(model.labels?.last, "break_in")
        XCTAssertEqual(model.scoresOutput, 1)
        XCTAssertEqual(model.attribution, AttributionConfig(output: 0, names: ["image", "audio"]))
        XCTAssertEqual(model.normalize, .unit)
        XCTAssertEqual(model.metadata?.path, directory + "/m/metadata.json")
        XCTAssertEqual(model.audioLabels, ["speech", "doorbell", "smoke_alarm", "knock", "glass_break"])
    }

    func testExplicitKeysOverrideTheMetadata() throws {
        try FileManager.default.copyItem(atPath: repositoryFile("models/perch-av/metadata.json"),
                                         toPath: directory + "/m/metadata.json")
        let model = try XCTUnwrap(load("labels = a, b\nnormalize = symmetric\nattribution = x, y\nattribution-output = 1\n"
                                       + "scores-output = 0\n").model(named: "av"))
        XCTAssertEqual(model.labels, ["a", "b"])
        XCTAssertEqual(model.normalize, .symmetric)
        XCTAssertEqual(model.scoresOutput, 0)
        XCTAssertEqual(model.attribution, AttributionConfig(output: 1, names: ["x", "y"]))
        // Labels written here: the file's audio labels (not among them) are no default.
        XCTAssertEqual(model.audioLabels, [])
        let audio = try XCTUnwrap(load("audio-labels = knock\n").model(named: "av"))
        XCTAssertEqual(audio.audioLabels, ["knock"])
    }

    func testWithoutMetadataLabelsAreStillRequired() throws {
        let errors = try loadErrors("")
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue(errors[0].contains("[model av] labels: required key missing"), errors[0])
        XCTAssertTrue(errors[0].contains("metadata.json"), errors[0])
    }

    func testMalformedMetadataNamesTheFileAndField() throws {
        let path = directory + "/m/metadata.json"
        try write("{\"labels\": [\"a\", \"b\"], \"inputs\": [{\"index\": 0, \"shape\": [1, 8, 8, 3]}],"
                  + " \"outputs\": [{\"index\": 0, \"shape\": [1, 3]}], \"labels_output_index\": 0}", "m/metadata.json")
        var errors = try loadErrors("")
        XCTAssertTrue(errors.contains { $0.contains("[model av] file: " + path + ": labels: 2 labels for outputs[0] of shape [1, 3]") },
                      errors.joined(separator: "\n"))

        try write("{\"labels\": [\"a\"], \"inputs\": [], \"outputs\": []}", "m/metadata.json")
        errors = try loadErrors("")
        XCTAssertTrue(errors.contains { $0.contains(path + ": inputs: expected a list") }, errors.joined(separator: "\n"))

        try write("{\"labels\": [\"a\"], \"inputs\": [{\"index\": 0, \"shape\": [1, 8, 8, 3]}],"
                  + " \"outputs\": [{\"index\": 0, \"shape\": [1, 1]}], \"labels_output_index\": 4}", "m/metadata.json")
        errors = try loadErrors("")
        XCTAssertTrue(errors.contains { $0.contains(path + ": labels_output_index: expected the index") }, errors.joined(separator: "\n"))

        let shapes = " \"inputs\": [{\"index\": 0, \"shape\": [1, 8, 8, 3]}], \"outputs\": [{\"index\": 0, \"shape\": [1, 2]}],"
            + " \"labels_output_index\": 0"
        for (modalities, message) in [("[\"audio\"]", "expected an object"),
                                      ("{\"a\": \"audio\"}", "no entry for label \"b\""),
                                      ("{\"a\": \"audio\", \"b\": \"video\"}", "\"b\": expected \"audio\", \"image\" or \"fused\""),
                                      ("{\"a\": \"audio\", \"b\": \"image\", \"c\": \"fused\"}", "\"c\" is not one of the labels")] {
            try write("{\"labels\": [\"a\", \"b\"]," + shapes + ", \"label_modalities\": " + modalities + "}", "m/metadata.json")
            errors = try loadErrors("")
            XCTAssertTrue(errors.contains { $0.contains(path + ": label_modalities: " + message) }, errors.joined(separator: "\n"))
        }

        try write("{\"labels\": [", "m/metadata.json")
        errors = try loadErrors("")
        XCTAssertTrue(errors.contains { $0.contains(path + ": not JSON") }, errors.joined(separator: "\n"))
    }

    func testPathBesideTheModel() {
        XCTAssertEqual(ModelMetadata.path(forModel: "models/perch-av/model.tflite"), "models/perch-av/metadata.json")
        XCTAssertEqual(ModelMetadata.path(forModel: "model.tflite"), "metadata.json")
    }
}
