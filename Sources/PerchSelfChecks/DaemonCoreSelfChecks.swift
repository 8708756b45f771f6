import PerchDaemonCore
import PerchSystem

/// The daemon core on the target: configuration parsing and its messages, the rule state
/// machine, event replay, and the pthread-based queue and ring (mutex, monotonic timed wait).
enum DaemonCoreSelfChecks {
    static func run(_ r: CheckRunner) {
        checkConfiguration(r)
        checkRules(r)
        checkQueues(r)
    }

    private static func checkConfiguration(_ r: CheckRunner) {
        let text = "[camera]\ndevice = test-pattern\nfps = 10\n[model m]\nfile = m.tflite\ninput.0 = camera\n"
            + "labels = a, \"b c\"\nrate = 2.5\n[rule m.a]\non = 0.75\nrefractory = 1.5s\n"
        do throws(ConfigErrors) {
            let configuration = try Configuration.parse(text, file: "t.conf", overrides: [.setting("socket.mode=0600")])
            r.check("config: camera fps", configuration.cameras.first?.framesPerSecond == 10)
            r.check("config: inline labels", configuration.models.first?.labels == ["a", "b c"])
            r.check("config: decimal rate", configuration.models.first?.rate == 2.5)
            r.check("config: rule threshold", configuration.rules.first?.on == 0.75)
            r.check("config: duration", configuration.rules.first?.refractoryMilliseconds == 1_500)
            r.check("config: octal override", configuration.socket.mode == 0o600)
        } catch {
            r.check("config: valid text parses", false, error.description)
        }
        // Small strings as source paths and the summary that prints them: the shape that
        // trapped on aarch64 when CameraDevice was an enum with String payloads.
        do throws(ConfigErrors) {
            let configuration = try Configuration.parse(
                "[camera]\ndevice = /dev/video0\n[microphone]\ndevice = hw:1,0\n[gpio-input b]\nchip = c\nline = 1\n"
                    + "mode = event\n", file: "t.conf")
            r.expectEqual("config: summary", configuration.summary,
                          "camera: /dev/video0, 320x240 rgb24 at 15 fps\n"
                              + "microphone: hw:1,0, 16000 Hz, 1 channel(s), 256-frame periods\n"
                              + "gpio-input b: c:1 event\nsocket: /run/perch/perchd.sock mode 0660\n"
                              + "web: Unix socket only, MJPEG at most 5 fps, JPEG quality 80\n"
                              + "log level: info, event buffer 256, frame queue 2\n") { $0 }
        } catch {
            r.check("config: device paths parse", false, error.description)
        }
        do throws(ConfigErrors) {
            let configuration = try Configuration.parse(
                "[camera]\ndevice = sequence:models/perch-av/demo/frames.txt\n[camera still]\ndevice = image:/srv/a.ppm\n",
                file: "t.conf")
            r.expectEqual("config: sequence camera", configuration.cameras.map { $0.device.description },
                          ["sequence:models/perch-av/demo/frames.txt", "image:/srv/a.ppm"]) { $0.joined(separator: ", ") }
            r.check("config: sequence kind", configuration.cameras.first?.device.kind == .sequence)
        } catch {
            r.check("config: sequence camera parses", false, error.description)
        }
        do throws(ConfigErrors) {
            _ = try Configuration.parse(text + "off = high\n[camra]\n", file: "t.conf")
            r.check("config: errors are found", false)
        } catch {
            r.expectEqual("config: all errors, exact text", error.description,
                          "t.conf:12: [rule m.a] off: expected a number between 0 and 1, got \"high\"\n"
                              + "t.conf:13:2: unknown section [camra] (did you mean [camera]?); sections are [daemon], "
                              + "[socket], [web], [mqtt], [record], [camera], [microphone], [model], [rule], [action], [gpio-input]\n") { $0 }
        }
    }

    private static func checkRules(_ r: CheckRunner) {
        var config = RuleConfig(model: "m", label: "l", on: 0.55, off: 0.25)
        config.window = 3
        config.hits = 1
        var rule = LabelRule(config)
        var trace = ""
        for (i, score) in ([0.3, 0.6, 0.9, 0.0, 0.0, 0.0] as [Float]).enumerated() {
            if let event = rule.update(score: score, time: Int64(i) * 100) {
                trace += String(i) + ":" + event.state.description + " "
            }
        }
        r.expectEqual("rules: moving average and hysteresis", trace, "2:start 5:end ") { $0 }

        let bus = EventBus(capacity: 2)
        for i in 0..<5 { bus.publish(time: Int64(i), model: "m", label: "l", state: .start, score: 1) }
        let replay = bus.replay(since: 1)
        r.check("events: gap when the ring no longer holds them", replay.gap == EventGap(from: 2, to: 3))
        r.check("events: newest kept", replay.events.map { $0.seq } == [4, 5])

        // getrandom through the target's glibc: two ids, well formed and different.
        let first = try? InstanceID.make(), second = try? InstanceID.make()
        r.check("events: instance ids are 32 hex digits from getrandom, never the same",
                first.map(InstanceID.isWellFormed) == true && second.map(InstanceID.isWellFormed) == true && first != second,
                (first ?? "no id") + " " + (second ?? "no id"))
    }

    private static func checkQueues(_ r: CheckRunner) {
        let queue = BoundedQueue<Int>(capacity: 2)
        for i in 1...4 { queue.push(i) }
        r.check("queue: drops the oldest", queue.dropped == 2 && queue.tryPop() == 3 && queue.tryPop() == 4)
        let start = MonotonicClock.nanoseconds
        let timedOut = queue.pop(timeoutMilliseconds: 30) == nil
        let waited = MonotonicClock.nanoseconds - start
        r.check("queue: pop times out on the monotonic clock", timedOut && waited >= 29_000_000 && waited < 2_000_000_000,
                "waited " + String(waited) + " ns")

        let ring = AudioRingBuffer(capacity: 4)
        ring.append([1, 2, 3, 4, 5, 6])
        r.check("audio ring: latest window after wrap", ring.latest(3) == [4, 5, 6] && ring.latest(5) == nil)
    }
}
