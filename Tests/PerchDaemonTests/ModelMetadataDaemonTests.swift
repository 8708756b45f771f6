import Foundation
import Glibc
import XCTest

/// perchd with a model whose metadata.json sits beside it: the demo's [model] section has
/// only file and inputs; a metadata.json that disagrees with the model stops perchd with the
/// file and field named.
final class ModelMetadataDaemonTests: XCTestCase {
    func testDemoRunsOnTheMetadataDefaults() throws {
        let demo = try String(contentsOf: repositoryRoot.appendingPathComponent("config/demo.conf"), encoding: .utf8)
        for key in ["labels-file", "scores-output", "attribution-output", "normalize", "audio-labels"] {
            XCTAssertFalse(demo.contains("\n" + key + " "), key + " is still spelled out in demo.conf")
        }
        let daemon = try DaemonProcess.demo()
        let model = try XCTUnwrap(daemon.json("/v1/models")["models"]?.arrayValue?.first?.objectValue)
        XCTAssertEqual(model["labels"]?.arrayValue?.count, 11)
        XCTAssertEqual(model["attribution"]?.arrayValue?.compactMap { $0.stringValue }, ["image", "audio"])
        // label_modalities: the five sound labels stay live while the camera's frame is stale.
        XCTAssertEqual(model["audio_labels"]?.arrayValue?.compactMap { $0.stringValue },
                       ["speech", "doorbell", "smoke_alarm", "knock", "glass_break"])
        XCTAssertTrue(try eventually(10) {
            String(decoding: try daemon.get("/v1/results/latest").body, as: UTF8.self).contains("\"audio\"")
        })
    }

    func testMetadataThatDisagreesWithTheModelIsAnErrorNamingFileAndField() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = repositoryRoot.appendingPathComponent("models/perch-av")
        try FileManager.default.copyItem(atPath: source.appendingPathComponent("model.tflite").path,
                                         toPath: directory + "/model.tflite")
        var metadata = try String(contentsOf: source.appendingPathComponent("metadata.json"), encoding: .utf8)
        // The image input claimed as 96x96.
        metadata = metadata.replacingOccurrences(of: "\"shape\": [\n    1,\n    64,\n    64,", with: "\"shape\": [\n    1,\n    96,\n    96,")
        try metadata.write(toFile: directory + "/metadata.json", atomically: true, encoding: .utf8)
        let config = directory + "/only-file.conf"
        try """
        [camera]
        device = test-pattern
        [microphone]
        device = wav:\(repositoryRoot.appendingPathComponent("models/perch-av/demo/demo.wav").path)
        [model av]
        file = \(directory)/model.tflite
        input.0 = camera
        input.1 = microphone
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", config], waitForSocket: false)
        XCTAssertEqual(waitForExit(daemon.pid, timeoutSeconds: 20), 1, "perchd must refuse the model")
        XCTAssertTrue(daemon.logText.contains("model av: " + directory + "/metadata.json: inputs[0].shape is [1, 96, 96, 3]; "
                                          + "the model's input 0 is [1, 64, 64, 3]"), daemon.logText)
    }
}
