import XCTest
@testable import PerchDaemonCore

final class ResultsStoreTests: XCTestCase {
    func testDequantizationUsesScaleAndZeroPoint() {
        // A softmax output: scale 1/256, zero point -128 maps -128...127 onto 0...255/256.
        let softmax = OutputQuantization(scale: 1.0 / 256, zeroPoint: -128)
        XCTAssertEqual(softmax.dequantize([-128, 0, 127]), [0, 0.5, 255.0 / 256])
        let symmetric = OutputQuantization(scale: 0.5, zeroPoint: 3)
        XCTAssertEqual(symmetric.dequantize(Int8(5)), 1)
        XCTAssertEqual(symmetric.dequantize(Int8(-1)), -2)
    }

    func testLatestScoresCountersAndAttribution() throws {
        var model = ModelConfig(name: "av", file: "av.tflite", inputs: [ModelInput(index: 0, source: "camera")],
                                labelSource: .inline(["quiet", "ring"]))
        model.attribution = AttributionConfig(output: 1, names: ["image", "audio"])
        let store = ResultsStore(models: [model])
        XCTAssertEqual(store.latest(model: "av")?.inferences, 0)
        XCTAssertNil(store.latest(model: "av")?.time)

        store.record(model: "av", scores: [0.25, 0.75], attribution: [0.7, 0.3], inferenceMicroseconds: 1_200, time: 10)
        store.record(model: "av", scores: [0.5, 0.5], inferenceMicroseconds: 1_100, time: 20)
        store.recordDropped(model: "av", frames: 3)
        store.record(model: "nope", scores: [1], inferenceMicroseconds: 1, time: 1)

        let results = try XCTUnwrap(store.latest(model: "av"))
        XCTAssertEqual(results.scores, [0.5, 0.5])
        XCTAssertEqual(results.score("ring"), 0.5)
        XCTAssertNil(results.score("bark"))
        XCTAssertEqual(results.inferences, 2)
        XCTAssertEqual(results.droppedFrames, 3)
        XCTAssertEqual(results.inferenceMicroseconds, 1_100)
        XCTAssertEqual(results.time, 20)
        XCTAssertEqual(results.attribution?.value("image"), 0.7, "kept from the last inference that had one")
        XCTAssertEqual(store.all().map { $0.model }, ["av"])
    }
}
