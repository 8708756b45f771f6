import XCTest
import PerchDaemonCore
@testable import PerchMQTT

/// What a new plan (start, reload) queues: discovery and states, and empty retained configs
/// that remove the entities of labels no longer published. No broker needed: the bridge's
/// thread is not started; the outbox is read directly.
final class MQTTBridgePlanTests: XCTestCase {
    func bridge() -> MQTTBridge {
        var config = MQTTConfig(host: "127.0.0.1", port: 1)
        config.deviceID = "t"
        let hooks = MQTTHooks(setRule: { _, e in e }, isRuleEnabled: { _ in true }, isActive: { _, l in l == "person" },
                              infer: { _ in true }, scores: { [] })
        return MQTTBridge(config: config, version: "test", hooks: hooks)
    }

    func testReloadWithoutALabelClearsItsEntities() {
        let b = bridge()
        let person = MQTTPlan.Label(model: "av", label: "person", isRule: true)
        let knock = MQTTPlan.Label(model: "av", label: "knock", isRule: true)
        b.update(plan: MQTTPlan(labels: [person, knock], models: [], snapshot: false))
        let first = b.outbox.take(limit: 1000)
        XCTAssertTrue(first.contains { $0.topic == "perch/t/av/person/state" && $0.payload == Array("ON".utf8) })
        XCTAssertTrue(first.contains { $0.topic == "homeassistant/binary_sensor/t/av_knock/config" && !$0.payload.isEmpty })
        XCTAssertTrue(first.allSatisfy { $0.retain })

        b.update(plan: MQTTPlan(labels: [person], models: [], snapshot: false))
        let second = b.outbox.take(limit: 1000)
        let cleared = Set(second.filter { $0.payload.isEmpty }.map { $0.topic })
        XCTAssertEqual(cleared, ["homeassistant/binary_sensor/t/av_knock/config", "homeassistant/event/t/av_knock/config",
                                 "homeassistant/switch/t/av_knock_rule/config", "perch/t/av/knock/state",
                                 "perch/t/av/knock/enabled"])
        // Person's unchanged retained messages are not sent again.
        XCTAssertFalse(second.contains { $0.topic.contains("person") })
    }

    func testEventsOfUnpublishedLabelsAreIgnored() {
        let b = bridge()
        b.update(plan: MQTTPlan(labels: [.init(model: "av", label: "person", isRule: true)], models: [], snapshot: false))
        _ = b.outbox.take(limit: 1000)
        b.handle(Event(seq: 1, time: 5, model: "av", label: "knock", state: .start, score: 0.9))
        b.handle(Event(seq: 2, time: 6, model: "av", label: "person", state: .end, score: 0.1))
        let out = b.outbox.take(limit: 1000)
        XCTAssertEqual(out.map { $0.topic }, ["perch/t/av/person/state", "perch/t/av/person/event"])
        XCTAssertEqual(out.last?.eventSeq, 2)
        XCTAssertEqual(b.snapshot.eventsProduced, 1)
    }
}
