import XCTest
import PerchSystem
@testable import PerchDaemonCore

/// The shipped example parses to exactly the structure docs/configuration.md describes.
final class ExampleConfigurationTests: XCTestCase {
    func testExampleFileParsesToTheExpectedStructure() throws {
        let configuration = try Configuration.load(path: exampleConfigurationPath())

        XCTAssertEqual(configuration.daemon.logLevel, .info)
        XCTAssertEqual(configuration.daemon.eventBuffer, 256)
        XCTAssertEqual(configuration.daemon.frameQueue, 2)

        var socket = SocketConfig()
        socket.path = "/run/perch/perchd.sock"
        socket.mode = 0o660
        socket.group = "perch"
        XCTAssertEqual(configuration.socket, socket)

        var camera = CameraConfig(name: "camera", device: .v4l2(path: "/dev/video0"))
        camera.width = 320
        camera.height = 240
        camera.framesPerSecond = 15
        camera.format = .yuyv
        XCTAssertEqual(configuration.cameras, [camera])

        var microphone = MicrophoneConfig(name: "microphone", device: .alsa(name: "plughw:1,0"))
        microphone.sampleRate = 16_000
        microphone.channels = 1
        microphone.periodFrames = 320
        XCTAssertEqual(configuration.microphones, [microphone])

        var person = ModelConfig(name: "person", file: "/usr/share/perch/models/person_detect.tflite",
                                 inputs: [ModelInput(index: 0, source: "camera")],
                                 labelSource: .inline(["background", "person"]))
        person.crop = .centre
        person.resize = .auto
        person.normalize = .minus128
        person.rate = 2
        person.threads = 1
        var doorbell = ModelConfig(name: "doorbell", file: "/usr/share/perch/models/doorbell_av.tflite",
                                   inputs: [ModelInput(index: 0, source: "camera"),
                                            ModelInput(index: 1, source: "microphone")],
                                   labelSource: .inline(["silence", "ring", "knock"]))
        doorbell.audioWindow = 49
        doorbell.attribution = AttributionConfig(output: 1, names: ["image", "audio"])
        doorbell.audioLabels = ["ring", "knock"]
        doorbell.rate = 4
        XCTAssertEqual(configuration.models, [person, doorbell])

        var personRule = RuleConfig(model: "person", label: "person", on: 0.7, off: 0.5)
        personRule.hits = 3
        personRule.refractoryMilliseconds = 5_000
        personRule.window = 4
        let ringRule = RuleConfig(model: "doorbell", label: "ring", on: 0.8, off: 0.8)
        var ring = ringRule
        ring.hits = 2
        XCTAssertEqual(configuration.rules, [personRule, ring])

        let porch = ActionConfig(name: "porch-light", rule: "person.person", gpio: GpioLine(chip: "gpiochip0", line: 17))
        var chime = ActionConfig(name: "chime", rule: "doorbell.ring", gpio: GpioLine(chip: "gpiochip0", line: 27))
        chime.behaviour = .pulse(milliseconds: 500)
        chime.activeLow = true
        let led = ActionConfig(name: "button-led", rule: "gpio.button", gpio: GpioLine(chip: "gpiochip0", line: 24))
        XCTAssertEqual(configuration.actions, [porch, chime, led])

        var motion = GpioInputConfig(name: "motion", gpio: GpioLine(chip: "gpiochip0", line: 22),
                                     role: .trigger(model: "person"))
        motion.edge = .rising
        motion.debounceMilliseconds = 50
        var button = GpioInputConfig(name: "button", gpio: GpioLine(chip: "gpiochip0", line: 23), role: .event)
        button.activeLow = true
        button.debounceMilliseconds = 20
        XCTAssertEqual(configuration.gpioInputs, [motion, button])
    }

    func testSummaryNamesEverySection() throws {
        let summary = try Configuration.load(path: exampleConfigurationPath()).summary
        let lines = summary.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "camera: /dev/video0, 320x240 yuyv at 15 fps")
        XCTAssertTrue(lines.contains("rule person.person: on 0.7, off 0.5, 3 hit(s), window 4, refractory 5000 ms"),
                      summary)
        XCTAssertTrue(lines.contains("action chime: gpiochip0:27 pulse 500 ms (active low) on doorbell.ring"), summary)
        XCTAssertEqual(lines.last, "log level: info, event buffer 256, frame queue 2")
    }

    /// The summary gives each model's thread count as configured (one inference runs on them).
    func testSummaryGivesTheThreadCount() throws {
        let two = try XCTUnwrap(validConfiguration(minimalConfiguration + "threads = 2\n"))
        XCTAssertTrue(two.summary.contains("/s, 2 threads"), two.summary)
        let one = try XCTUnwrap(validConfiguration(minimalConfiguration))
        XCTAssertTrue(one.summary.contains("/s, 1 thread\n") || one.summary.hasSuffix("/s, 1 thread"), one.summary)
    }

    func testDefaultsWhenSectionsAreMinimal() throws {
        let configuration = try XCTUnwrap(validConfiguration(minimalConfiguration + """
            [rule person.person]
            on = 0.6
            """))
        XCTAssertEqual(configuration.socket, SocketConfig())
        XCTAssertEqual(configuration.daemon, DaemonConfig())
        XCTAssertEqual(configuration.cameras.first?.device, .testPattern)
        XCTAssertEqual(configuration.cameras.first?.width, 320)
        let rule = try XCTUnwrap(configuration.rules.first)
        XCTAssertEqual(rule.off, 0.6, "off defaults to on")
        XCTAssertEqual(rule.hits, 1)
        XCTAssertEqual(rule.window, 1)
        XCTAssertEqual(rule.refractoryMilliseconds, 0)
        XCTAssertEqual(configuration.models.first?.crop, .centre)
        XCTAssertEqual(configuration.models.first?.rate, 1)
    }

    func testSequenceCamera() throws {
        let configuration = try XCTUnwrap(validConfiguration("""
            [camera demo]
            device = sequence:models/perch-av/demo/frames.txt
            fps = 10
            [camera still]
            device = "sequence:/srv/scene frames.txt"
            """))
        let demo = try XCTUnwrap(configuration.camera(named: "demo"))
        XCTAssertEqual(demo.device, .sequence(path: "models/perch-av/demo/frames.txt"))
        XCTAssertEqual(demo.device.kind, .sequence)
        XCTAssertEqual(demo.device.description, "sequence:models/perch-av/demo/frames.txt")
        XCTAssertEqual(demo.framesPerSecond, 10)
        XCTAssertEqual(configuration.camera(named: "still")?.device, .sequence(path: "/srv/scene frames.txt"))
        XCTAssertNotEqual(CameraDevice.sequence(path: "a"), CameraDevice.image(path: "a"))
    }

    func testNamedSourcesAndLabelFiles() throws {
        var configuration = try XCTUnwrap(validConfiguration("""
            [camera door]
            device = image:/srv/still.ppm
            format = grey
            [microphone hall]
            device = "wav:/srv/clip.wav"
            [model m]
            file = m.tflite
            input.1 = hall
            input.0 = door
            labels-file = /srv/m.labels
            crop = 10,20,200,100
            [rule m.dog]
            on = 0.9
            refractory = 1.5s
            """))
        XCTAssertEqual(configuration.camera(named: "door")?.device, .image(path: "/srv/still.ppm"))
        XCTAssertEqual(configuration.microphone(named: "hall")?.device, .wav(path: "/srv/clip.wav"))
        XCTAssertEqual(configuration.models[0].inputs, [ModelInput(index: 0, source: "door"), ModelInput(index: 1, source: "hall")])
        XCTAssertEqual(configuration.models[0].crop, .rectangle(x: 10, y: 20, width: 200, height: 100))
        XCTAssertEqual(configuration.rules[0].refractoryMilliseconds, 1_500)
        XCTAssertNil(configuration.models[0].labels, "labels from a file are unknown until read")

        // Reading the labels file turns the rule's label into a checked one.
        let read: (String) throws(Errno) -> [UInt8] = { path throws(Errno) in
            XCTAssertEqual(path, "/srv/m.labels")
            return Array("# comment\nbackground\n\n  cat \ndog\r\n".utf8)
        }
        try configuration.resolveLabelFiles(read)
        XCTAssertEqual(configuration.models[0].labels, ["background", "cat", "dog"])

        var missing = try XCTUnwrap(validConfiguration(minimalConfiguration
            .replacingOccurrences(of: "labels = background, person", with: "labels-file = /srv/x.labels")
            + "[rule person.persn]\non = 0.5\n"))
        XCTAssertThrowsError(try missing.resolveLabelFiles { _ throws(Errno) in Array("background\nperson\n".utf8) }) {
            XCTAssertEqual(($0 as? ConfigErrors)?.description,
                           "perchd.conf:8: [rule person.persn]: model person has no label \"persn\" (did you mean \"person\"?); its labels are background, person\n")
        }
        XCTAssertThrowsError(try missing.resolveLabelFiles { _ throws(Errno) in throw Errno.noEntry }) {
            XCTAssertEqual(($0 as? ConfigErrors)?.description,
                           "perchd.conf:7: [model person] labels-file: cannot read \"/srv/x.labels\": No such file or directory\n")
        }
    }
}
