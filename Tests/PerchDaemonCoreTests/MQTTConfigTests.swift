import XCTest
@testable import PerchDaemonCore

/// `[mqtt]`: values, defaults, errors, `--set`, and the labels it may publish.
final class MQTTConfigTests: XCTestCase {
    let rule = "[rule person.person]\non = 0.7\noff = 0.5\n"

    func testDefaultsAndSummary() throws {
        let c = try XCTUnwrap(validConfiguration(minimalConfiguration + rule + "[mqtt]\nbroker = 127.0.0.1:1883\n"))
        let mqtt = try XCTUnwrap(c.mqtt)
        XCTAssertEqual(mqtt.host, "127.0.0.1")
        XCTAssertEqual(mqtt.port, 1883)
        XCTAssertEqual(mqtt.topicPrefix, "perch")
        XCTAssertEqual(mqtt.discoveryPrefix, "homeassistant")
        XCTAssertFalse(mqtt.snapshot)
        XCTAssertFalse(mqtt.tls)
        XCTAssertEqual(c.publishedLabels, ["person.person"])
        XCTAssertTrue(c.summary.contains("mqtt: 127.0.0.1:1883, topics perch/…, discovery homeassistant/…, 1 labels, snapshot off"),
                      c.summary)
    }

    func testNoSectionNoMQTT() throws {
        XCTAssertNil(try XCTUnwrap(validConfiguration(minimalConfiguration)).mqtt)
    }

    func testSetCreatesTheSection() throws {
        let c = try XCTUnwrap(validConfiguration(minimalConfiguration, overrides: [.setting("mqtt.broker=[::1]:8883")]))
        XCTAssertEqual(c.mqtt?.host, "::1")
        XCTAssertEqual(c.mqtt?.port, 8883)
        XCTAssertEqual(c.mqtt?.broker, "[::1]:8883")
    }

    func testEveryKey() throws {
        let c = try XCTUnwrap(validConfiguration(minimalConfiguration + rule + """
            [mqtt]
            broker = broker.lan:8883
            client-id = porch_cam
            username = perch
            password-file = /etc/perch/mqtt-password
            ca-file = /etc/perch/ca.crt
            cert-file = /etc/perch/client.crt
            key-file = /etc/perch/client.key
            topic-prefix = home/perch
            discovery-prefix = ha
            device-id = porch
            device-name = "Porch camera"
            labels = person.person
            snapshot = on
            score-interval = 0
            keepalive = 60
            event-queue = 1000
            """))
        let m = try XCTUnwrap(c.mqtt)
        XCTAssertEqual([m.clientID, m.username, m.passwordFile, m.caFile, m.certFile, m.keyFile, m.deviceID, m.deviceName],
                       ["porch_cam", "perch", "/etc/perch/mqtt-password", "/etc/perch/ca.crt", "/etc/perch/client.crt",
                        "/etc/perch/client.key", "porch", "Porch camera"])
        XCTAssertEqual(m.topicPrefix, "home/perch")
        XCTAssertEqual(m.discoveryPrefix, "ha")
        XCTAssertTrue(m.snapshot && m.tls)
        XCTAssertEqual(m.scoreIntervalMilliseconds, 0)
        XCTAssertEqual(m.keepaliveSeconds, 60)
        XCTAssertEqual(m.eventQueue, 1000)
    }

    func testErrorsNameLineAndKey() {
        XCTAssertEqual(configErrors(minimalConfiguration + "[mqtt]\nbroker = 127.0.0.1\n"),
                       ["perchd.conf:9: [mqtt] broker: expected HOST:PORT such as 127.0.0.1:1883, got \"127.0.0.1\""])
        XCTAssertEqual(configErrors(minimalConfiguration + "[mqtt]\nport = 1883\n"),
                       ["perchd.conf:8: [mqtt] broker: required key missing; expected HOST:PORT such as 127.0.0.1:1883",
                        "perchd.conf:9: [mqtt] port: unknown key; keys here are broker, client-id, username, password-file, "
                        + "ca-file, cert-file, key-file, topic-prefix, discovery-prefix, device-id, device-name, labels, "
                        + "snapshot, score-interval, keepalive, event-queue"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[mqtt]\nbroker = h:1\ntopic-prefix = a/+\n"),
                       ["perchd.conf:10: [mqtt] topic-prefix: expected topic levels without +, # or a leading /, got \"a/+\""])
        XCTAssertEqual(configErrors(minimalConfiguration + "[mqtt]\nbroker = h:1\npassword-file = /p\n"),
                       ["perchd.conf:10: [mqtt] password-file: a password needs a username"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[mqtt]\nbroker = h:1\ncert-file = /c\nca-file = /a\n"),
                       ["perchd.conf:10: [mqtt] cert-file: cert-file and key-file go together"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[mqtt]\nbroker = h:1\nscore-interval = 100ms\n"),
                       ["perchd.conf:10: [mqtt] score-interval: expected 0 (never) or at least 1s"])
    }

    func testLabelsMustBeRulesOrEventInputs() {
        XCTAssertEqual(configErrors(minimalConfiguration + rule + "[mqtt]\nbroker = h:1\nlabels = person.persn\n"),
                       ["perchd.conf:13: [mqtt] labels: unknown label \"person.persn\" (did you mean \"person.person\"?); "
                        + "rules and event inputs are person.person"])
    }

    func testPublishedLabelsIncludeEventInputs() throws {
        let c = try XCTUnwrap(validConfiguration(minimalConfiguration + rule
            + "[gpio-input button]\nchip = gpiochip0\nline = 5\nmode = event\n[mqtt]\nbroker = h:1\n"))
        XCTAssertEqual(c.publishedLabels, ["person.person", "gpio.button"])
    }
}
