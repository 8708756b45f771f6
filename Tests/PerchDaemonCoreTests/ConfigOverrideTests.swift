import XCTest
@testable import PerchDaemonCore

/// `--set SECTION.KEY=VALUE`, `--socket`, `--log-level`: validated like lines of the file.
final class ConfigOverrideTests: XCTestCase {
    let base = minimalConfiguration + "[rule person.person]\non = 0.5\n"

    func testSetReplacesFileValuesAndAddsNewOnes() throws {
        let configuration = try XCTUnwrap(validConfiguration(base, overrides: [
            .setting("camera.fps=5"),
            .setting("rule.person.person.on = 0.75"),
            .setting("rule.person.person.hits=3"),
            .setting("model.person.input.0=camera"),
            .socketPath("/tmp/perch test.sock"),
            .logLevel("debug"),
        ]))
        XCTAssertEqual(configuration.cameras[0].framesPerSecond, 5)
        XCTAssertEqual(configuration.rules[0].on, 0.75)
        XCTAssertEqual(configuration.rules[0].hits, 3)
        XCTAssertEqual(configuration.socket.path, "/tmp/perch test.sock")
        XCTAssertEqual(configuration.daemon.logLevel, .debug)
    }

    func testApplyOnAValidConfiguration() throws {
        var configuration = try XCTUnwrap(validConfiguration(base))
        try configuration.apply(override: "daemon.event-buffer=16")
        try configuration.apply(override: "socket.mode", value: "0600")
        XCTAssertEqual(configuration.daemon.eventBuffer, 16)
        XCTAssertEqual(configuration.socket.mode, 0o600)

        // A bad override throws and leaves the configuration as it was.
        let before = configuration
        XCTAssertThrowsError(try configuration.apply(override: "rule.person.person.off=0.9")) {
            XCTAssertEqual(($0 as? ConfigErrors)?.description,
                           "--set rule.person.person.off=0.9: [rule person.person] off: must not be above on (0.5) for hysteresis, got 0.9\n")
        }
        XCTAssertEqual(configuration, before)
    }

    func testOverrideErrors() {
        XCTAssertEqual(configErrors(base, overrides: [.setting("camera.fps")]),
                       ["--set camera.fps: expected SECTION.KEY=VALUE"])
        XCTAssertEqual(configErrors(base, overrides: [.setting("model.cat.rate=2")]),
                       ["--set model.cat.rate=2: no section for \"model.cat.rate\"; expected SECTION.KEY=VALUE with SECTION one of camera, model.person, rule.person.person"])
        XCTAssertEqual(configErrors(base, overrides: [.setting("camera.zoom=2")]),
                       ["--set camera.zoom=2: [camera] zoom: unknown key; keys here are device, width, height, fps, format"])
        XCTAssertEqual(configErrors(base, overrides: [.socketPath("relative.sock"), .logLevel("loud")]), [
            "--socket relative.sock: [socket] path: expected an absolute path, got \"relative.sock\"",
            "--log-level loud: [daemon] log-level: expected error, warning, notice, info, debug or 3-7, got \"loud\"",
        ])
        // A NUL would cut the value short where it reaches C (found by fuzz-config).
        XCTAssertEqual(configErrors(base, overrides: [.setting("camera.fps=5\0junk"), .socketPath("/run/x\0y")]), [
            "--set camera.fps=5\\0junk: a NUL byte; an argument is text",
            "--socket /run/x\\0y: a NUL byte; an argument is text",
        ])
    }

    func testANulByteInTheFileIsAnErrorAtItsColumn() {
        XCTAssertEqual(configErrors(minimalConfiguration + "rate = 0\0junk\n"),
                       ["perchd.conf:8:9: a NUL byte; a configuration is text (is the file damaged?)"])
    }
}
