import XCTest
@testable import PerchDaemonCore

/// A camera that stops delivering: when its last frame turns stale, and what the rules see then.
final class FrameFreshnessTests: XCTestCase {
    func testStaleAfterThreeModelOrCameraPeriodsOrOneSecond() {
        XCTAssertEqual(FrameFreshness(modelRate: 2).limitNs, 1_500_000_000)   // 3 periods of 0.5 s
        XCTAssertEqual(FrameFreshness(modelRate: 10).limitNs, 1_000_000_000)  // 0.3 s, raised to 1 s
        XCTAssertEqual(FrameFreshness(modelRate: 0.5).limitNs, 6_000_000_000)
        // A slow camera: 3 of its frame periods when they are longer than the model's.
        XCTAssertEqual(FrameFreshness(modelRate: 4, cameraFps: 1).limitNs, 3_000_000_000)
        XCTAssertEqual(FrameFreshness(modelRate: 4, cameraFps: 2).limitNs, 1_500_000_000)
        XCTAssertEqual(FrameFreshness(modelRate: 2, cameraFps: 15).limitNs, 1_500_000_000)
    }

    func testNeverStaleBeforeTheFirstFrameThenStaleUntilANewOne() {
        var f = FrameFreshness(modelRate: 2)
        XCTAssertFalse(f.isStale(at: 100_000_000_000))  // no frame yet: the model reports that itself
        f.newFrame(at: 10_000_000_000)
        XCTAssertFalse(f.isStale(at: 11_500_000_000))   // exactly at the limit: still live
        XCTAssertTrue(f.isStale(at: 11_500_000_001))
        XCTAssertTrue(f.isStale(at: 60_000_000_000))
        f.newFrame(at: 60_000_000_000)                  // the camera is back
        XCTAssertFalse(f.isStale(at: 60_100_000_000))
    }

    func testImageAndFusedLabelsReadZeroAudioLabelsKeepTheirScores() {
        let labels = ["speech", "doorbell", "person", "visitor"]
        let scores: [Float] = [0.9, 0.2, 0.95, 0.8]
        XCTAssertEqual(scoresWithImageHeld(scores, labels: labels, audioLabels: ["speech", "doorbell"]), [0.9, 0.2, 0, 0])
        XCTAssertEqual(scoresWithImageHeld(scores, labels: labels, audioLabels: []), [0, 0, 0, 0])
        // More scores than labels (a model whose labels were not read): the extra ones are held too.
        XCTAssertEqual(scoresWithImageHeld([0.5, 0.5], labels: ["speech"], audioLabels: ["speech"]), [0.5, 0])
    }

    /// Through the rule engine: an image label held at 0 ends its episode by the `off`
    /// threshold and starts none while the frame stays stale; an audio label starts as usual.
    func testHeldLabelsEndTheirEpisodeAndRaiseNoNewStart() {
        let bus = EventBus(capacity: 16)
        let rules = RuleEngine(rules: [RuleConfig(model: "av", label: "person", on: 0.7, off: 0.5),
                                       RuleConfig(model: "av", label: "speech", on: 0.7, off: 0.5)], bus: bus)
        let labels = ["speech", "person"]
        _ = rules.process(model: "av", labels: labels, scores: [0.1, 0.9], time: 1)   // person starts on a live frame
        for t in 2...5 {
            let held = scoresWithImageHeld([0.9, 0.9], labels: labels, audioLabels: ["speech"])  // the frame is stale
            _ = rules.process(model: "av", labels: labels, scores: held, time: Int64(t))
        }
        let events = bus.replay(since: 0).events.map { $0.label + " " + $0.state.description }
        XCTAssertEqual(events, ["person start", "person end", "speech start"])
    }
}
