import PerchMedia
import PerchSystem


/// The human-readable overview `perchd --check-config` prints for a valid configuration.
extension Configuration {
    public var summary: String {
        var lines: [String] = []
        for camera in cameras {
            lines.append(sectionTitle("camera", camera.name) + ": " + camera.device.description + ", "
                         + String(camera.width) + "x" + String(camera.height) + " " + camera.format.name
                         + " at " + String(camera.framesPerSecond) + " fps")
        }
        for microphone in microphones {
            lines.append(sectionTitle("microphone", microphone.name) + ": " + microphone.device.description + ", "
                         + String(microphone.sampleRate) + " Hz, " + String(microphone.channels) + " channel(s), "
                         + String(microphone.periodFrames) + "-frame periods")
        }
        for model in models {
            var line = "model " + model.name + ": " + model.file + ", inputs "
                + joinedList(model.inputs.map { String($0.index) + "=" + $0.source })
            if let labels = model.labels {
                line += ", " + String(labels.count) + " labels"
            } else if case .file(let path) = model.labelSource {
                line += ", labels from " + path
            }
            line += ", " + formatRate(model.rate) + "/s, " + String(model.threads) + (model.threads == 1 ? " thread" : " threads")
            lines.append(line)
        }
        for rule in rules {
            lines.append("rule " + rule.name + ": on " + shortNumber(rule.on) + ", off "
                         + shortNumber(rule.off) + ", " + String(rule.hits) + " hit(s), window "
                         + String(rule.window) + ", refractory " + String(rule.refractoryMilliseconds) + " ms")
        }
        for action in actions {
            lines.append("action " + action.name + ": " + action.gpio.description + " " + action.behaviour.description
                         + (action.activeLow ? " (active low)" : "") + " on " + action.rule)
        }
        for input in gpioInputs {
            lines.append("gpio-input " + input.name + ": " + input.gpio.description + " " + input.role.description
                         + (input.activeLow ? " (active low)" : ""))
        }
        lines.append("socket: " + socket.path + " mode " + octal(socket.mode)
                     + (socket.group.map { " group " + $0 } ?? ""))
        lines.append("web: " + (web.listen.map { "listening on " + $0.description + (web.tokenFile == nil ? " (no token)" : " (token from " + web.tokenFile! + ")") } ?? "Unix socket only")
                     + ", MJPEG at most " + String(web.streamFramesPerSecond) + " fps, JPEG quality " + String(web.jpegQuality))
        if let mqtt {
            lines.append("mqtt: " + mqtt.broker + (mqtt.tls ? " (TLS)" : "") + (mqtt.username.map { " as " + $0 } ?? "")
                         + ", topics " + mqtt.topicPrefix + "/…, discovery " + mqtt.discoveryPrefix + "/…, "
                         + String(publishedLabels.count) + " labels, snapshot " + (mqtt.snapshot ? "on" : "off"))
        }
        lines.append("log level: " + daemon.logLevel.name + ", event buffer " + String(daemon.eventBuffer)
                     + ", frame queue " + String(daemon.frameQueue))
        var text = ""
        for line in lines { text += line + "\n" }
        return text
    }
}

/// `0660`
func octal(_ mode: UInt32) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(1, 4 - digits.count)) + digits
}

/// `2`, `0.5`
func formatRate(_ rate: Double) -> String { quotedNumber(rate) }

/// `0.7` rather than the Double widening's `0.699999988079071`.
func shortNumber(_ value: Float) -> String {
    if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
    return String(value)
}

/// "camera" for the unnamed camera, "camera door" for a named one.
func sectionTitle(_ kind: String, _ name: String) -> String { name == kind ? kind : kind + " " + name }
