import XCTest
@testable import PerchDaemonCore

/// Keys with values of the wrong type or range, unknown and missing keys.
final class ConfigValueErrorTests: XCTestCase {
    func testNumberOutOfRangeOrNotANumber() {
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person.person]\non = high\n"),
                       ["perchd.conf:9: [rule person.person] on: expected a number between 0 and 1, got \"high\""])
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person.person]\non = 1.5\n"),
                       ["perchd.conf:9: [rule person.person] on: expected a number between 0 and 1, got \"1.5\""])
        XCTAssertEqual(configErrors("[camera]\ndevice = test-pattern\nwidth = 0x40\nfps = 1000\n"), [
            "perchd.conf:3: [camera] width: expected an integer from 16 to 8192, got \"0x40\"",
            "perchd.conf:4: [camera] fps: expected an integer from 1 to 240, got \"1000\"",
        ])
        XCTAssertEqual(configErrors(minimalConfiguration + "rate = nan\n"),
                       ["perchd.conf:8: [model person] rate: expected inferences per second, above 0 and at most 1000, got \"nan\""])
    }

    func testBooleansDurationsModesChoicesLists() {
        let text = minimalConfiguration + """
            crop = middle
            resize = bilnear
            labels-file = ""
            [action a]
            rule = person.person
            chip = gpiochip0
            line = 4
            active-low = maybe
            mode = pulse
            pulse = 5 sec
            [socket]
            mode = rw-rw----
            [rule person.person]
            on = 0.5
            refractory = 10
            """
        XCTAssertEqual(configErrors(text), [
            "perchd.conf:8: [model person] crop: expected centre, full, WxH or X,Y,W,H, got \"middle\"",
            "perchd.conf:9: [model person] resize: expected one of auto, bilinear, area, got \"bilnear\" (did you mean \"bilinear\"?)",
            "perchd.conf:10: [model person] labels-file: expected a string, got \"\"",
            "perchd.conf:15: [action a] active-low: expected true or false, got \"maybe\"",
            "perchd.conf:17: [action a] pulse: expected a duration such as 250ms, 2s or 1m, got \"5 sec\"",
            "perchd.conf:19: [socket] mode: expected an octal mode such as 0660, got \"rw-rw----\"",
            "perchd.conf:22: [rule person.person] refractory: expected a duration such as 250ms, 2s or 1m, got \"10\"",
        ])
        XCTAssertEqual(configErrors(minimalConfiguration.replacingOccurrences(
            of: "labels = background, person", with: "labels = [a, , b]")),
            ["perchd.conf:7: [model person] labels: expected a list such as a, b, \"c d\", got \"[a, , b]\""])
    }

    func testUnknownKeySuggestsTheNearest() {
        XCTAssertEqual(configErrors("[camera]\ndevice = test-pattern\nwidht = 640\nzoom = 2\n"), [
            "perchd.conf:3: [camera] widht: unknown key (did you mean \"width\"?); keys here are device, width, height, fps, format",
            "perchd.conf:4: [camera] zoom: unknown key; keys here are device, width, height, fps, format",
        ])
    }

    func testSequenceCameraNeedsAPath() {
        XCTAssertEqual(configErrors("[camera]\ndevice = sequence:\n"), [
            "perchd.conf:2: [camera] device: expected a device path, test-pattern, image:PATH or sequence:PATH, got \"sequence:\"",
        ])
    }

    func testRequiredKeysAreReportedAtTheSectionHeader() {
        XCTAssertEqual(configErrors("[camera]\nwidth = 640\n[action a]\nrule = x.y\n"), [
            "perchd.conf:1: [camera] device: required key missing; expected a device path, test-pattern, image:PATH or sequence:PATH",
            "perchd.conf:3: [action a] chip: required key missing; expected a GPIO chip such as gpiochip0",
            "perchd.conf:3: [action a] line: required key missing; expected a line offset from 0 to 1023",
        ])
    }

    func testModelInputsAndLabels() {
        XCTAssertEqual(configErrors("[camera]\ndevice = test-pattern\n[model m]\nfile = m.tflite\nlabels = a\n"),
                       ["perchd.conf:3: [model m] input.0: required key missing; expected input.0 = SOURCE (a camera or microphone)"])
        XCTAssertEqual(configErrors("[camera]\ndevice = test-pattern\n[model m]\nfile = m.tflite\ninput.0 = camera\ninput.2 = camera\nlabels = a\n"),
                       ["perchd.conf:6: [model m] input.2: inputs must be numbered from 0 without gaps; input.1 is missing"])
        XCTAssertEqual(configErrors("[camera]\ndevice = test-pattern\n[model m]\nfile = m.tflite\ninput.x = camera\nlabels = a\n"),
                       ["perchd.conf:5: [model m] input.x: expected input.N with N from 0 to 15"])
        XCTAssertEqual(configErrors("[camera]\ndevice = test-pattern\n[model m]\nfile = m.tflite\ninput.0 = camera\n"),
                       ["perchd.conf:3: [model m] labels: required key missing; expected a list of labels, or labels-file = PATH"
                        + " (or a metadata.json beside the model)"])
        XCTAssertEqual(configErrors(minimalConfiguration + "labels-file = /l.txt\n"),
                       ["perchd.conf:7: [model person] labels: give labels or labels-file, not both"])
        XCTAssertEqual(configErrors(minimalConfiguration + "attribution-output = 2\n"),
                       ["perchd.conf:8: [model person] attribution-output: only used together with attribution = NAME, ..."])
        XCTAssertEqual(configErrors(minimalConfiguration + "audio-labels = person, speech\n"),
                       ["perchd.conf:8: [model person] audio-labels: \"speech\" is not one of the model's labels"])
        XCTAssertEqual(validConfiguration(minimalConfiguration + "audio-labels = background\n")?.models.first?.audioLabels,
                       ["background"])
        XCTAssertEqual(configErrors(minimalConfiguration.replacingOccurrences(of: "[model person]", with: "[model gpio]")),
                       ["perchd.conf:4: [model gpio]: the model name \"gpio\" is reserved for GPIO-input events"])
    }

    func testRuleHysteresisAndName() {
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person.person]\non = 0.5\noff = 0.8\n"),
                       ["perchd.conf:10: [rule person.person] off: must not be above on (0.5) for hysteresis, got 0.8"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person]\non = 0.5\n"),
                       ["perchd.conf:8: [rule person]: expected a rule named MODEL.LABEL, e.g. [rule person.person]"])
    }

    func testActionAndInputModes() {
        let gpio = "chip = gpiochip0\nline = 5\n"
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person.person]\non = 0.5\n[action a]\nrule = person.person\n" + gpio + "mode = pulse\n"),
                       ["perchd.conf:10: [action a] pulse: required with mode = pulse; expected a duration such as 500ms"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[rule person.person]\non = 0.5\n[action a]\nrule = person.person\n" + gpio + "pulse = 1s\n"),
                       ["perchd.conf:14: [action a] pulse: only used with mode = pulse"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[gpio-input b]\n" + gpio + "mode = trigger\n"),
                       ["perchd.conf:8: [gpio-input b] model: required with mode = trigger; expected the model to run"])
        XCTAssertEqual(configErrors(minimalConfiguration + "[gpio-input b]\n" + gpio + "mode = event\nmodel = person\nedge = both\n"), [
            "perchd.conf:12: [gpio-input b] model: only used with mode = trigger",
            "perchd.conf:13: [gpio-input b] edge: only used with mode = trigger",
        ])
    }
}
