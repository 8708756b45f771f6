import XCTest
@testable import PerchDaemonCore

/// References between sections, GPIO lines claimed twice, and collecting every error.
final class ConfigCrossCheckTests: XCTestCase {
    func testModelInputFromUnknownSource() {
        XCTAssertEqual(configErrors(minimalConfiguration + "input.1 = mic\n"),
                       ["perchd.conf:8: [model person] input.1: unknown source \"mic\"; sources are camera"])
        XCTAssertEqual(configErrors(minimalConfiguration + "input.1 = camer\n"),
                       ["perchd.conf:8: [model person] input.1: unknown source \"camer\" (did you mean \"camera\"?); sources are camera"])
    }

    func testRuleForUnknownModelOrLabel() {
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule persn.person]\non = 0.5\n"),
                       ["perchd.conf:8: [rule persn.person]: unknown model \"persn\" (did you mean \"person\"?); models are person"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person.cat]\non = 0.5\n"),
                       ["perchd.conf:8: [rule person.cat]: model person has no label \"cat\"; its labels are background, person"])
    }

    func testActionForUnknownRule() {
        XCTAssertEqual(configErrors(minimalConfiguration + "[action light]\nrule = person.person\nchip = gpiochip0\nline = 1\n"),
                       ["perchd.conf:9: [action light] rule: unknown rule \"person.person\"; no [rule] or event-mode [gpio-input] is configured"])
        // A GPIO input in trigger mode raises no events, so an action cannot follow it.
        XCTAssertEqual(configErrors(minimalConfiguration + """
            [gpio-input pir]
            chip = gpiochip0
            line = 2
            mode = trigger
            model = person
            [action light]
            rule = gpio.pir
            chip = gpiochip0
            line = 1
            """), ["perchd.conf:14: [action light] rule: unknown rule \"gpio.pir\"; no [rule] or event-mode [gpio-input] is configured"])
    }

    func testTriggerForUnknownModel() {
        XCTAssertEqual(configErrors(minimalConfiguration + "[gpio-input pir]\nchip = gpiochip0\nline = 2\nmode = trigger\nmodel = persons\n"),
                       ["perchd.conf:12: [gpio-input pir] model: unknown model \"persons\" (did you mean \"person\"?)"])
    }

    func testTwoUsersOfOneGpioLine() {
        let text = minimalConfiguration + """
            [rule person.person]
            on = 0.5
            [action a]
            rule = person.person
            chip = gpiochip0
            line = 17
            [gpio-input button]
            chip = /dev/gpiochip0
            line = 17
            mode = event
            [action b]
            rule = gpio.button
            chip = gpiochip1
            line = 17
            """
        XCTAssertEqual(configErrors(text),
                       ["perchd.conf:16: [gpio-input button] line: /dev/gpiochip0:17 is already used by [action a] (line 10)"])
    }

    func testSourceNamesAreShared() {
        XCTAssertEqual(configErrors("[camera front]\ndevice = test-pattern\n[microphone front]\ndevice = default\n"),
                       ["perchd.conf:3: [microphone front]: a camera is already named \"front\"; source names must differ"])
    }

    /// A broken section reports its own error once, not again at every section naming it.
    func testBrokenSectionsDoNotCascade() {
        XCTAssertEqual(configErrors("[camera]\ndevice = nowhere\n[model m]\nfile = m.tflite\ninput.0 = camera\nlabels = a\n[rule m.a]\non = 2\n[action x]\nrule = m.a\nchip = c\nline = 1\n"), [
            "perchd.conf:2: [camera] device: expected a device path, test-pattern, image:PATH or sequence:PATH, got \"nowhere\"",
            "perchd.conf:8: [rule m.a] on: expected a number between 0 and 1, got \"2\"",
        ])
    }

    func testEveryErrorIsCollectedInLineOrder() {
        let text = """
            [camera]
            device = test-pattern
            fps = fast
            [model person]
            file = person.tflite
            input.0 = microphone
            labels = background, person
            treads = 2
            [rule person.person]
            on = 0.5
            off = 0.9
            [action light]
            rule = person.persons
            chip = gpiochip0
            line = 3
            [socket]
            mode = 0999
            """
        XCTAssertEqual(configErrors(text, overrides: [.setting("camera.width=wide")]), [
            "perchd.conf:3: [camera] fps: expected an integer from 1 to 240, got \"fast\"",
            "perchd.conf:6: [model person] input.0: unknown source \"microphone\"; sources are camera",
            "perchd.conf:8: [model person] treads: unknown key (did you mean \"threads\"?); keys here are file, input.N, "
                + "labels, labels-file, crop, resize, normalize, audio-window, rate, threads, scores-output, audio-labels, attribution, attribution-output",
            "perchd.conf:11: [rule person.person] off: must not be above on (0.5) for hysteresis, got 0.9",
            "perchd.conf:13: [action light] rule: unknown rule \"person.persons\" (did you mean \"person.person\"?); rules are person.person",
            "perchd.conf:17: [socket] mode: expected an octal mode such as 0660, got \"0999\"",
            "--set camera.width=wide: [camera] width: expected an integer from 16 to 8192, got \"wide\"",
        ])
    }
}
