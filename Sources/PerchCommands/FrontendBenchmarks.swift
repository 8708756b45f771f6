import PerchCommandLine
import PerchFrontends
import PerchMedia
import PerchRuntime
import PerchSystem

/// `perch audio bench` and `perch image bench`: throughput of the frontends on synthetic
/// input, the median of several runs. Figures, not pass/fail tests.
enum FrontendBenchmarks {
    static let options: [OptionSpec] = [
        .value("runs", valueName: "N", help: "runs to take the median of (default 7)"),
        .value("seconds", valueName: "S", help: "audio seconds per run (default 10)"),
        .value("frames", valueName: "N", help: "image frames per run (default 50)"),
        .flag("help", short: "h", help: "show this help"),
    ]

    static func parse(_ arguments: [String], _ command: String) -> ParsedArguments? {
        do throws(UsageError) {
            return try parseArguments(arguments[...], options: options)
        } catch {
            StandardStream.error.write("perch " + command + " bench: " + error.description + "\n")
            return nil
        }
    }

    /// Median seconds of `runs` calls of `body`.
    static func median(runs: Int, _ body: () -> Void) -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, runs) {
            let start = MonotonicClock.nanoseconds
            body()
            times.append(Double(MonotonicClock.nanoseconds - start) / 1e9)
        }
        times.sort()
        return times[times.count / 2]
    }

    static func format(_ value: Double) -> String {
        // One decimal, without Foundation's formatting.
        let tenths = Int((value * 10).rounded())
        return String(tenths / 10) + "." + String(tenths % 10)
    }

    static func audio(_ arguments: [String]) -> Int32 {
        guard let parsed = parse(arguments, "audio") else { return 2 }
        if parsed.has("help") {
            StandardStream.output.write("Usage: perch audio bench [OPTIONS]\n\n" + optionsHelp(options))
            return 0
        }
        let runs = Int(parsed.value("runs") ?? "7") ?? 7
        let seconds = max(1, Int(parsed.value("seconds") ?? "10") ?? 10)
        let mono16k = TestSignals.chirpWithNoise(rate: 16000, seconds: seconds, channels: 1)
        let stereo48k = TestSignals.chirpWithNoise(rate: 48000, seconds: seconds, channels: 2)
        let stereo44k = TestSignals.chirpWithNoise(rate: 44100, seconds: seconds, channels: 2)
        guard let extractor = try? AudioFeatureExtractor() else { return 1 }
        var frames = 0
        let featureTime = median(runs: runs) {
            extractor.reset()
            frames = 0
            extractor.process(mono16k) { _ in frames += 1 }
        }
        printLine("audio features: " + String(frames) + " frames in " + format(featureTime * 1000) + " ms: "
                  + format(Double(frames) / featureTime) + " frames/s, "
                  + format(Double(seconds) / featureTime) + "x real time (median of " + String(runs) + ")")
        for (rate, input) in [(48000, stereo48k), (44100, stereo44k)] {
            guard let resampler = try? Resampler(inputRate: rate, outputRate: 16000, channels: 2) else { return 1 }
            var produced = 0
            let t = median(runs: runs) {
                resampler.reset()
                produced = 0
                resampler.process(input) { produced += $0.count }
            }
            printLine("resample " + String(rate) + " Hz stereo -> 16 kHz mono: " + format(Double(produced) / t / 1e6)
                      + " M output samples/s, " + format(Double(seconds) / t) + "x real time")
        }
        return 0
    }

    static func image(_ arguments: [String]) -> Int32 {
        guard let parsed = parse(arguments, "image") else { return 2 }
        if parsed.has("help") {
            StandardStream.output.write("Usage: perch image bench [OPTIONS]\n\n" + optionsHelp(options))
            return 0
        }
        let runs = Int(parsed.value("runs") ?? "7") ?? 7
        let frameCount = max(1, Int(parsed.value("frames") ?? "50") ?? 50)
        // 640x480 camera frames with some texture.
        var rgb = [UInt8](repeating: 0, count: 640 * 480 * 3)
        var yuyv = [UInt8](repeating: 0, count: 640 * 480 * 2)
        for i in 0..<rgb.count { rgb[i] = UInt8(truncatingIfNeeded: i &* 7 &+ i >> 9) }
        for i in 0..<yuyv.count { yuyv[i] = UInt8(truncatingIfNeeded: i &* 13 &+ i >> 8) }
        let cases: [(String, PixelFormat, [UInt8], Int, Int, ResizeMethod)] = [
            ("rgb24 640x480 -> 96x96x1 (area)", .rgb24, rgb, 96, 1, .auto),
            ("rgb24 640x480 -> 96x96x3 (area)", .rgb24, rgb, 96, 3, .auto),
            ("yuyv  640x480 -> 96x96x1 (area)", .yuyv, yuyv, 96, 1, .auto),
            ("yuyv  640x480 -> 96x96x3 (area)", .yuyv, yuyv, 96, 3, .auto),
            ("rgb24 640x480 -> 96x96x3 (bilinear)", .rgb24, rgb, 96, 3, .bilinear),
            ("rgb24 640x480 -> 320x320x3 (bilinear)", .rgb24, rgb, 320, 3, .auto),
        ]
        for (name, pixelFormat, pixels, size, channels, method) in cases {
            let geometry = ImageTensorGeometry(width: size, height: size, channels: channels, type: .int8,
                                               scale: 1.0 / 255, zeroPoint: -128)
            guard let pipeline = try? ImagePipeline(geometry: geometry, resize: method) else { return 1 }
            var out = [UInt8](repeating: 0, count: geometry.byteCount)
            var failed = false
            let t = median(runs: runs) {
                pixels.withUnsafeBytes { raw in
                    out.withUnsafeMutableBytes { dst in
                        let view = ImageView(base: raw.baseAddress!, width: 640, height: 480, format: pixelFormat)
                        for _ in 0..<frameCount {
                            do throws(FrontendError) { try pipeline.run(view, into: dst) } catch { failed = true }
                        }
                    }
                }
            }
            if failed { return 1 }
            printLine("image " + name + ": " + format(Double(frameCount) / t) + " frames/s ("
                      + format(t / Double(frameCount) * 1e6) + " us/frame)")
        }
        return 0
    }
}
