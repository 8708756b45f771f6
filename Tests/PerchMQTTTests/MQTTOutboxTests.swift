import XCTest
@testable import PerchMQTT

final class MQTTOutboxTests: XCTestCase {
    func event(_ seq: UInt64) -> MQTTMessage {
        MQTTMessage(topic: "t/event", payload: Array(String(seq).utf8), retain: false, qos: 1, eventSeq: seq)
    }

    func testStatesKeepTheLatestValueAndGoOutOncePerChange() {
        let box = MQTTOutbox(eventCapacity: 4)
        box.setState("a", Array("1".utf8))
        box.setState("b", Array("x".utf8))
        box.setState("a", Array("2".utf8))
        XCTAssertEqual(box.take(limit: 10).map { $0.topic + "=" + String(decoding: $0.payload, as: UTF8.self) }, ["a=2", "b=x"])
        XCTAssertEqual(box.take(limit: 10), [])
        box.setState("a", Array("2".utf8))  // unchanged: nothing to send
        XCTAssertEqual(box.take(limit: 10), [])
        box.markAllStatesDirty()
        XCTAssertEqual(box.take(limit: 10).map { $0.topic }, ["a", "b"])
    }

    func testClearedStateIsSentOnceThenForgotten() {
        let box = MQTTOutbox(eventCapacity: 4)
        box.setState("a", Array("1".utf8))
        _ = box.take(limit: 10)
        box.setState("a", [])
        XCTAssertEqual(box.take(limit: 10).map { $0.payload.count }, [0])
        box.markAllStatesDirty()
        XCTAssertEqual(box.take(limit: 10), [])
        XCTAssertEqual(box.stateTopics, [])
    }

    func testEventsAreBoundedOldestDroppedAndCounted() {
        let box = MQTTOutbox(eventCapacity: 3)
        for seq in 1...5 { box.pushEvent(event(UInt64(seq))) }
        XCTAssertEqual(box.counts.eventsDropped, 2)
        XCTAssertEqual(box.counts.eventsTotal, 5)
        XCTAssertEqual(box.take(limit: 2).compactMap { $0.eventSeq }, [3, 4])
        box.returnEvents([event(4)])
        XCTAssertEqual(box.take(limit: 10).compactMap { $0.eventSeq }, [4, 5])
        box.pushEvent(event(6))
        XCTAssertEqual(box.dropPendingEvents(), 1)
        XCTAssertEqual(box.counts.eventsDropped, 3)
    }

    func testOneSnapshotWaitsAndStatesGoFirst() {
        let box = MQTTOutbox(eventCapacity: 3)
        box.setSnapshot(MQTTMessage(topic: "s", payload: [1], retain: true, qos: 1))
        box.setSnapshot(MQTTMessage(topic: "s", payload: [2], retain: true, qos: 1))
        box.pushEvent(event(1))
        box.setState("a", [9])
        XCTAssertEqual(box.take(limit: 10).map { $0.topic }, ["a", "t/event", "s"])
        XCTAssertEqual(box.counts.snapshotsDropped, 1)
    }
}
