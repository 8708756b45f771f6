import PerchCommandLine
import PerchDevices
import PerchMedia
import PerchSystem

/// `perch device camera`: negotiates, captures N frames and checks them (size, sequence
/// numbers, not constant). Exits 0 only when every check held.
enum DeviceCameraCommand {
    static let options: [OptionSpec] = [
        .value("width", valueName: "W", help: "requested width (default 320)"),
        .value("height", valueName: "H", help: "requested height (default 240)"),
        .value("format", valueName: "FMT", help: "rgb24 (default), grey or yuyv"),
        .value("fps", valueName: "N", help: "requested frames per second (default 15)"),
        .value("buffers", valueName: "N", help: "mmap buffers (default 4)"),
        .value("frames", valueName: "N", help: "frames to capture (default 10; 0 with --list or --control)"),
        .value("timeout-ms", valueName: "MS", help: "poll timeout per frame (default 2000)"),
        .value("retry-seconds", valueName: "S", help: "keep retrying a missing or lost device this long (default 0)"),
        .value("control", valueName: "NAME=VALUE", help: "set a control (e.g. vivid's Disconnect=1) and exit"),
        .value("save", valueName: "FILE", help: "write the last frame's pixels to FILE"),
        .flag("list", help: "list formats, sizes, frame rates and controls"),
        .flag("quiet", short: "q", help: "no line per frame"),
    ]

    static func run(_ arguments: [String]) -> Int32 {
        var status: Int32 = 0
        guard let parsed = DeviceCommands.parse("camera", arguments, options: options,
                                                usage: "PATH|test-pattern|IMAGE [OPTIONS]", positionals: 1,
                                                status: &status) else { return status }
        let path = parsed.positionals[0]
        var request = FrameRequest()
        let frames: Int, timeoutMs: Int, retrySeconds: Int
        do throws(UsageError) {
            request.width = try DeviceCommands.integer(parsed, "width", default: 320, minimum: 1)
            request.height = try DeviceCommands.integer(parsed, "height", default: 240, minimum: 1)
            request.framesPerSecond = try DeviceCommands.integer(parsed, "fps", default: 15, minimum: 1)
            request.bufferCount = try DeviceCommands.integer(parsed, "buffers", default: 4, minimum: 2)
            let idle = parsed.has("list") || parsed.value("control") != nil
            frames = try DeviceCommands.integer(parsed, "frames", default: idle ? 0 : 10)
            timeoutMs = try DeviceCommands.integer(parsed, "timeout-ms", default: 2_000, minimum: 1)
            retrySeconds = try DeviceCommands.integer(parsed, "retry-seconds", default: 0)
            if let text = parsed.value("format") {
                guard let format = PixelFormat(parsing: text) else {
                    throw .invalidValue(option: "format", value: text, expected: "rgb24, grey or yuyv")
                }
                request.pixelFormat = format
            }
        } catch {
            StandardStream.error.write("perch device camera: " + error.description + "\n")
            return 2
        }
        if let control = parsed.value("control") { return setControl(path, control) }

        // Kept typed as well as behind the protocol: no dynamic casts in embedded mode.
        let v4l2 = isSynthetic(path) ? nil : V4L2Camera(path: path, request: request)
        let camera: any FrameSource = v4l2 ?? makeSynthetic(path, request)
        let capture = CaptureCheck(quiet: parsed.has("quiet"))
        do throws(DeviceError) {
            try camera.start()
        } catch {
            printLine("camera: " + error.description)
            if retrySeconds == 0 || !error.isRecoverable { return 1 }
        }
        if let v4l2 { describe(v4l2, request, list: parsed.has("list")) }
        let deadline = MonotonicClock.milliseconds + Int64(retrySeconds) * 1_000 + Int64(frames) * 2_000
        while capture.frames < frames {
            do throws(DeviceError) {
                let got = try camera.nextFrame(timeoutMs: timeoutMs) { capture.record($0) }
                if !got {
                    if camera.state == .running { printLine("timeout: no frame within " + String(timeoutMs) + " ms") }
                    if MonotonicClock.milliseconds > deadline || (retrySeconds == 0 && camera.state != .running) { break }
                }
            } catch {
                printLine("camera: " + error.description)
                break
            }
        }
        if let file = parsed.value("save"), !capture.lastPixels.isEmpty {
            do { try Files.write(file, capture.lastPixels) } catch { printLine("save " + file + ": " + error.description) }
        }
        let stats = camera.statistics
        let ok = capture.passed(expected: frames, format: camera.format)
        printLine("camera summary: frames=" + String(capture.frames) + "/" + String(frames)
                  + " distinct=" + String(capture.distinct) + " constant=" + String(capture.constant)
                  + " bad-size=" + String(capture.badSize) + " sequence=" + (capture.sequenceOK ? "ok" : "bad")
                  + " dropped=" + String(stats.dropped) + " timeouts=" + String(stats.timeouts)
                  + " reconnects=" + String(stats.reconnects) + " fps=" + capture.measuredRate
                  + " state=" + camera.state.name + " result=" + (ok ? "ok" : "FAILED"))
        camera.stop()
        return ok ? 0 : 1
    }

    static func isSynthetic(_ path: String) -> Bool {
        path == "test-pattern" || path.hasSuffix(".bmp") || path.hasSuffix(".ppm") || path.hasSuffix(".pgm")
    }

    static func makeSynthetic(_ path: String, _ request: FrameRequest) -> any FrameSource {
        if path == "test-pattern" { return TestPatternCamera(request: request) }
        return ImageFileCamera(path: path, request: request)
    }

    /// Driver identity, what negotiation returned against what was asked, and the lists.
    static func describe(_ camera: V4L2Camera, _ request: FrameRequest, list: Bool) {
        if let caps = camera.capabilities {
            printLine("camera " + camera.name + ": driver " + caps.driver + ", card '" + caps.card + "', bus " + caps.busInfo)
        }
        if camera.state == .running {
            let asked = FrameFormat(width: request.width, height: request.height, pixelFormat: request.pixelFormat,
                                    framesPerSecond: Double(request.framesPerSecond))
            printLine("negotiated: " + camera.format.description + " (asked " + asked.description + "), bytesperline "
                      + String(camera.format.bytesPerLine) + ", " + String(request.bufferCount) + " buffers")
        }
        guard list else { return }
        for format in camera.formats() {
            printLine("format " + format.fourcc + " '" + format.description + "'" + (format.emulated ? " (libv4l2)" : ""))
            for size in format.sizes { printLine("  size " + size.size + " fps " + size.framesPerSecond) }
        }
        printLine("controls: " + camera.controlNames().joined(separator: ", "))
    }

    static func setControl(_ path: String, _ assignment: String) -> Int32 {
        guard let equals = assignment.firstIndex(of: "="),
              let value = Int32(assignment[assignment.index(after: equals)...]) else {
            StandardStream.error.write("perch device camera: --control wants NAME=VALUE\n")
            return 2
        }
        let name = String(assignment[..<equals])
        do throws(DeviceError) {
            try V4L2Camera.setControl(path: path, name: name, value: value)
            printLine("camera " + path + ": control '" + name + "' set to " + String(value))
            return 0
        } catch {
            printLine("camera: " + error.description)
            return 1
        }
    }
}

/// Per-frame checks of a capture run.
final class CaptureCheck {
    let quiet: Bool
    var frames = 0, constant = 0, badSize = 0
    var sequenceOK = true
    var hashes = Set<UInt32>()
    var lastSequence: UInt32?
    var firstNs: Int64 = 0, lastNs: Int64 = 0
    var lastPixels: [UInt8] = []

    init(quiet: Bool) { self.quiet = quiet }

    var distinct: Int { hashes.count }

    func record(_ frame: Frame) {
        let check = FrameCheck(frame)
        // libv4l2 may report bytesused of the converted image; it must hold every row.
        let expected = frame.format.bytesPerLine * (frame.format.height - 1) + frame.format.rowBytes
        if frame.bytes.count < expected { badSize += 1 }
        if check.isConstant { constant += 1 }
        // After a reconnect the driver numbers from 0 again; otherwise numbers must rise.
        if let last = lastSequence, frame.sequence <= last, frame.sequence != 0 { sequenceOK = false }
        lastSequence = frame.sequence
        hashes.insert(check.hash)
        if frames == 0 { firstNs = frame.timestampNs }
        lastNs = frame.timestampNs
        frames += 1
        lastPixels = Array(frame.bytes)
        if !quiet {
            printLine("frame " + String(frames - 1) + " seq=" + String(frame.sequence) + " ts_us="
                      + String(frame.timestampNs / 1_000) + " bytes=" + String(frame.bytes.count) + " min="
                      + String(check.minimum) + " max=" + String(check.maximum) + " hash=" + String(check.hash, radix: 16))
        }
    }

    var measuredRate: String {
        guard frames > 1, lastNs > firstNs else { return "-" }
        let fps = Double(frames - 1) * 1e9 / Double(lastNs - firstNs)
        return String(Double(Int(fps * 10)) / 10)
    }

    /// Every frame arrived, had the full size, was not constant; frames changed over time.
    func passed(expected: Int, format: FrameFormat) -> Bool {
        frames >= expected && badSize == 0 && constant == 0 && sequenceOK && (expected < 2 || distinct >= 2)
    }
}
