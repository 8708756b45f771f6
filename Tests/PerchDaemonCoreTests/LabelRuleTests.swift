import XCTest
@testable import PerchDaemonCore

/// The rule state machine against hand-computed sequences.
final class LabelRuleTests: XCTestCase {
    private func rule(on: Float, off: Float, hits: Int = 1, refractory: Int64 = 0, window: Int = 1) -> LabelRule {
        var config = RuleConfig(model: "m", label: "l", on: on, off: off)
        config.hits = hits
        config.refractoryMilliseconds = refractory
        config.window = window
        return LabelRule(config)
    }

    /// Runs scores at 100 ms steps; returns "index:start"/"index:end" for each event.
    private func run(_ rule: inout LabelRule, _ scores: [Float], startTime: Int64 = 0) -> [String] {
        var events: [String] = []
        for (i, score) in scores.enumerated() {
            if let event = rule.update(score: score, time: startTime + Int64(i) * 100) {
                events.append(String(i) + ":" + event.state.description)
            }
        }
        return events
    }

    func testHysteresisStartsAtOnAndEndsBelowOff() {
        var r = rule(on: 0.7, off: 0.4)
        //                 0    1    2    3    4    5    6    7
        XCTAssertEqual(run(&r, [0.2, 0.69, 0.7, 0.5, 0.41, 0.4, 0.39, 0.8]),
                       ["2:start", "6:end", "7:start"])
        // 0.4 is not below off: the end waits for 0.39.
    }

    func testDebounceNeedsConsecutiveHits() {
        var r = rule(on: 0.5, off: 0.5, hits: 3)
        // Streak: 1, 2, reset, 1, 2, 3 -> start at index 5.
        XCTAssertEqual(run(&r, [0.6, 0.6, 0.1, 0.9, 0.9, 0.9, 0.9, 0.2]), ["5:start", "7:end"])
    }

    func testMovingAverageOverTheWindow() {
        var r = rule(on: 0.55, off: 0.25, window: 3)
        // Averages: 0.3, 0.45, 0.6 -> start at 2 (the single 0.6 at index 1 was not enough);
        // then (0.6+0.9+0)/3 = 0.5, (0.9+0+0)/3 = 0.3 (not below off), 0 -> end at 5.
        XCTAssertEqual(run(&r, [0.3, 0.6, 0.9, 0.0, 0.0, 0.0]), ["2:start", "5:end"])
        var fresh = rule(on: 0.95, off: 0.3, window: 3)
        _ = fresh.update(score: 1.0, time: 0)
        _ = fresh.update(score: 0.5, time: 100)
        XCTAssertEqual(fresh.average, 0.75, accuracy: 1e-6)
        _ = fresh.update(score: 0.0, time: 200)
        XCTAssertEqual(fresh.average, 0.5, accuracy: 1e-6)
        _ = fresh.update(score: 0.2, time: 300)  // 1.0 leaves the window
        XCTAssertEqual(fresh.average, (0.5 + 0.0 + 0.2) / 3, accuracy: 1e-6)
    }

    func testRefractoryDelaysTheNextStart() {
        var r = rule(on: 0.5, off: 0.5, refractory: 250)
        // End at index 1 (t = 100). Starts are refused at t = 200 and 300 (within 250 ms),
        // allowed at t = 400 (index 4): 400 - 100 = 300 >= 250.
        XCTAssertEqual(run(&r, [0.9, 0.1, 0.9, 0.9, 0.9]), ["0:start", "1:end", "4:start"])
    }

    func testRefractoryEndsExactlyAtItsLength() {
        var r = rule(on: 0.5, off: 0.5, refractory: 200)
        XCTAssertEqual(run(&r, [0.9, 0.1, 0.9, 0.9]), ["0:start", "1:end", "3:start"])
    }

    func testEventsCarryTheAverageThatCrossed() {
        var r = rule(on: 0.5, off: 0.2, window: 2)
        XCTAssertNil(r.update(score: 0.4, time: 0))
        let start = r.update(score: 0.8, time: 1)
        XCTAssertEqual(start?.state, .start)
        XCTAssertEqual(start?.score ?? -1, 0.6, accuracy: 1e-6)
        XCTAssertTrue(r.isActive)
    }
}
