import PerchMedia
import PerchSystem

/// Readers for `[camera]`, `[microphone]`, `[socket]` and `[daemon]`.
enum BasicSections {
    static func camera(_ reader: inout SectionReader) -> CameraConfig? {
        let device = reader.required("device", expected: "a device path, test-pattern, image:PATH or sequence:PATH") {
            (raw: String) -> CameraDevice? in
            guard let text = nonEmptyString(raw) else { return nil }
            if text == "test-pattern" { return .testPattern }
            if text.hasPrefix("image:") {
                let path = String(text.dropFirst(6))
                return path.isEmpty ? nil : .image(path: path)
            }
            if text.hasPrefix("sequence:") {
                let path = String(text.dropFirst(9))
                return path.isEmpty ? nil : .sequence(path: path)
            }
            return text.hasPrefix("/") ? .v4l2(path: text) : nil
        }
        var camera = CameraConfig(name: reader.section.name ?? "camera", device: device ?? .testPattern)
        if let width = reader.integer("width", in: 16...8192) { camera.width = width }
        if let height = reader.integer("height", in: 16...8192) { camera.height = height }
        if let fps = reader.integer("fps", in: 1...240) { camera.framesPerSecond = fps }
        if let format = reader.choice("format", PixelFormat.allCases.map { ($0.rawValue, $0) }) { camera.format = format }
        reader.finish()
        return device == nil ? nil : camera
    }

    static func microphone(_ reader: inout SectionReader) -> MicrophoneConfig? {
        let device = reader.required("device", expected: "an ALSA device name or wav:PATH") {
            (raw: String) -> MicrophoneDevice? in
            guard let text = nonEmptyString(raw) else { return nil }
            if text.hasPrefix("wav:") {
                let path = String(text.dropFirst(4))
                return path.isEmpty ? nil : .wav(path: path)
            }
            return .alsa(name: text)
        }
        var microphone = MicrophoneConfig(name: reader.section.name ?? "microphone", device: device ?? .alsa(name: ""))
        if let rate = reader.integer("rate", in: 8_000...192_000) { microphone.sampleRate = rate }
        if let channels = reader.integer("channels", in: 1...8) { microphone.channels = channels }
        if let period = reader.integer("period", in: 16...65_536) { microphone.periodFrames = period }
        reader.finish()
        return device == nil ? nil : microphone
    }

    static func socket(_ reader: inout SectionReader) -> SocketConfig {
        var socket = SocketConfig()
        if let path = reader.value("path", expected: "an absolute path", absolutePath) { socket.path = path }
        if let mode = reader.value("mode", expected: "an octal mode such as 0660", ConfigValues.octalMode) {
            socket.mode = mode
        }
        if let group = reader.string("group") { socket.group = group }
        reader.finish()
        return socket
    }

    static func daemon(_ reader: inout SectionReader) -> DaemonConfig {
        var daemon = DaemonConfig()
        if let level = reader.value("log-level", expected: "error, warning, notice, info, debug or 3-7", {
            nonEmptyString($0).flatMap { LogLevel(parsing: $0) }
        }) {
            daemon.logLevel = level
        }
        if let events = reader.integer("event-buffer", in: 1...65_536) { daemon.eventBuffer = events }
        if let frames = reader.integer("frame-queue", in: 1...64) { daemon.frameQueue = frames }
        reader.finish()
        return daemon
    }
}

func absolutePath(_ raw: String) -> String? {
    guard let text = nonEmptyString(raw), text.hasPrefix("/") else { return nil }
    return text
}
