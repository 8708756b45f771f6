import XCTest
import Foundation
import PerchSystem
@testable import PerchDaemonCore

final class EventBusTests: XCTestCase {
    func testSeqIncreasesAcrossModelsAndGpioInputs() {
        let bus = EventBus(capacity: 8)
        var person = RuleConfig(model: "person", label: "person", on: 0.5, off: 0.5)
        person.hits = 1
        let ring = RuleConfig(model: "doorbell", label: "ring", on: 0.5, off: 0.5)
        let engine = RuleEngine(rules: [person, ring], bus: bus)
        var delivered: [Event] = []
        _ = bus.subscribe { delivered.append($0) }

        let labels = ["background", "person"]
        XCTAssertEqual(engine.process(model: "person", labels: labels, scores: [0.1, 0.9], time: 1_000).map { $0.seq }, [1])
        XCTAssertEqual(engine.process(model: "doorbell", labels: ["ring"], scores: [0.7], time: 1_050).map { $0.seq }, [2])
        XCTAssertEqual(engine.gpioInput(name: "button", active: true, time: 1_060)?.seq, 3)
        XCTAssertNil(engine.gpioInput(name: "button", active: true, time: 1_070), "same level again: no event")
        XCTAssertEqual(engine.process(model: "person", labels: labels, scores: [0.9, 0.1], time: 1_100).map { $0.seq }, [4])
        XCTAssertEqual(engine.gpioInput(name: "button", active: false, time: 1_200)?.state, .end)

        XCTAssertEqual(delivered.map { $0.description }, [
            "#1 1000 person.person start 0.9",
            "#2 1050 doorbell.ring start 0.7",
            "#3 1060 gpio.button start 1.0",
            "#4 1100 person.person end 0.1",
            "#5 1200 gpio.button end 0.0",
        ])
        XCTAssertEqual(bus.replay(since: 3).events.map { $0.seq }, [4, 5])
        XCTAssertEqual(bus.lastSeq, 5)
        XCTAssertFalse(engine.isActive(model: "person", label: "person"))
        XCTAssertTrue(engine.isActive(model: "doorbell", label: "ring"))
    }

    func testUnruledLabelsAndModelsRaiseNothing() {
        let bus = EventBus(capacity: 4)
        let engine = RuleEngine(rules: [RuleConfig(model: "m", label: "cat", on: 0.5, off: 0.5)], bus: bus)
        XCTAssertTrue(engine.process(model: "m", labels: ["dog"], scores: [1], time: 0).isEmpty)
        XCTAssertTrue(engine.process(model: "other", labels: ["cat"], scores: [1], time: 0).isEmpty)
        XCTAssertEqual(bus.lastSeq, 0)
    }

    func testUnsubscribedCallbacksStopReceiving() {
        let bus = EventBus(capacity: 4)
        var count = 0
        let id = bus.subscribe { _ in count += 1 }
        bus.publish(time: 0, model: "m", label: "l", state: .start, score: 1)
        bus.unsubscribe(id)
        bus.publish(time: 1, model: "m", label: "l", state: .end, score: 0)
        XCTAssertEqual(count, 1)
    }

    /// Four threads publish at once: seqs are unique and dense, and the subscriber sees them
    /// in seq order (delivery is serialised), while replay from inside it does not deadlock.
    func testConcurrentPublishersKeepSeqOrder() {
        let bus = EventBus(capacity: 64)
        let lock = NSLock()
        var seen: [UInt64] = []
        let subscription = bus.subscribe { event in
            _ = bus.replay(since: event.seq - 1)
            lock.lock(); seen.append(event.seq); lock.unlock()
        }
        // The subscriber holds the bus: unsubscribing breaks the cycle (LeakSanitizer).
        defer { bus.unsubscribe(subscription) }
        let perThread = 500
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            for i in 0..<perThread {
                bus.publish(time: Int64(i), model: "m" + String(thread), label: "l", state: .start, score: 0)
            }
        }
        XCTAssertEqual(seen, Array(1...UInt64(4 * perThread)))
        let replay = bus.replay(since: 0)
        XCTAssertEqual(replay.gap, EventGap(from: 1, to: UInt64(4 * perThread - 64)))
        XCTAssertEqual(replay.events.map { $0.seq }, Array(UInt64(4 * perThread - 63)...UInt64(4 * perThread)))
    }
}
