import XCTest
import PerchJSON
@testable import PerchMQTT

/// Discovery payloads and topic names, as pure functions (the real broker is in tools/mqtt/check.py).
final class DiscoveryTests: XCTestCase {
    let topics = MQTTTopics(prefix: "perch", deviceID: "abc", discoveryPrefix: "homeassistant")
    let device = MQTTDevice(id: "abc", name: "Perch test", version: "1.0")

    func testTopics() {
        XCTAssertEqual(topics.status, "perch/abc/status")
        XCTAssertEqual(topics.state(model: "av", label: "smoke alarm"), "perch/abc/av/smoke_alarm/state")
        XCTAssertEqual(topics.ruleCommand(model: "av", label: "person"), "perch/abc/av/person/enabled/set")
        XCTAssertEqual(topics.discovery("binary_sensor", "av_person"), "homeassistant/binary_sensor/abc/av_person/config")
        XCTAssertEqual(slug("Door-Open 2"), "door_open_2")
    }

    func testDeviceClasses() {
        XCTAssertEqual(deviceClass(for: "person"), "occupancy")
        XCTAssertEqual(deviceClass(for: "smoke_alarm"), "smoke")
        XCTAssertEqual(deviceClass(for: "doorbell"), "sound")
        XCTAssertEqual(deviceClass(for: "door_open"), "door")
        XCTAssertEqual(deviceClass(for: "light_on"), "light")
        XCTAssertEqual(deviceClass(for: "glass_break"), "safety")
        XCTAssertNil(deviceClass(for: "cat"))
    }

    func testEntriesPerLabelRuleModelAndSnapshot() throws {
        let plan = MQTTPlan(labels: [.init(model: "av", label: "person", isRule: true),
                                     .init(model: "gpio", label: "button", isRule: false)],
                            models: [.init(name: "av", labels: ["person", "speech"])], snapshot: true)
        let entries = Discovery.entries(plan, topics: topics, device: device)
        XCTAssertEqual(entries.map { $0.topic }, [
            "homeassistant/binary_sensor/abc/av_person/config", "homeassistant/event/abc/av_person/config",
            "homeassistant/switch/abc/av_person_rule/config",
            "homeassistant/binary_sensor/abc/gpio_button/config", "homeassistant/event/abc/gpio_button/config",
            "homeassistant/sensor/abc/av_person_score/config", "homeassistant/sensor/abc/av_speech_score/config",
            "homeassistant/button/abc/av_infer/config", "homeassistant/image/abc/snapshot/config",
        ])
        let person = try XCTUnwrap(entries.first?.payload.objectValue)
        XCTAssertEqual(person["unique_id"], .string("perch_abc_binary_sensor_av_person"))
        XCTAssertEqual(person["device_class"], .string("occupancy"))
        XCTAssertEqual(person["state_topic"], .string("perch/abc/av/person/state"))
        XCTAssertEqual(person["availability_topic"], .string("perch/abc/status"))
        XCTAssertEqual(person["device"]?.objectValue?["identifiers"], .array([.string("perch_abc")]))
        // Every payload survives the strict parser (what Home Assistant reads).
        for e in entries {
            XCTAssertEqual(try JSONParser(parseDouble: { Double($0) }).parse(e.payload.encoded()), e.payload)
        }
    }

    func testDeviceIDIsAHashNotTheID() {
        let id = DeviceID.derive(from: Array("0123456789abcdef0123456789abcdef".utf8))
        XCTAssertEqual(id.utf8.count, 12)
        XCTAssertFalse("0123456789abcdef0123456789abcdef".hasPrefix(id))
        XCTAssertEqual(id, DeviceID.derive(from: Array("0123456789abcdef0123456789abcdef".utf8)))
        XCTAssertNotEqual(id, DeviceID.derive(from: Array("0123456789abcdef0123456789abcdee".utf8)))
    }
}
