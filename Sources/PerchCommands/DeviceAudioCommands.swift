import PerchCommandLine
import PerchDevices
import PerchMedia
import PerchSystem

/// `perch device mic|play|signal|compare`: record from a PCM and report what the device
/// gave; play a WAV; make and check the loopback test signal.
enum DeviceAudioCommands {
    static let recordOptions: [OptionSpec] = [
        .value("rate", valueName: "HZ", help: "requested sample rate (default 16000)"),
        .value("channels", valueName: "N", help: "channels (default 1)"),
        .value("seconds", valueName: "S", help: "how long to record (default 2; decimals allowed)"),
        .value("period", valueName: "FRAMES", help: "period size (default 256)"),
        .value("buffer", valueName: "FRAMES", help: "buffer size (default 2048)"),
        .value("output", short: "o", valueName: "FILE", help: "write samples: .wav, else raw S16_LE"),
        .value("retry-seconds", valueName: "S", help: "keep retrying a missing or busy device this long (default 0)"),
        .value("stall-ms", valueName: "MS", help: "stop reading this long after the first period (provokes an overrun)"),
    ]

    static func record(_ arguments: [String]) -> Int32 {
        var status: Int32 = 0
        guard let parsed = DeviceCommands.parse("mic", arguments, options: recordOptions, usage: "PCM [OPTIONS]",
                                                positionals: 1, status: &status) else { return status }
        let name = parsed.positionals[0]
        var request = AudioRequest()
        let seconds: Double, retrySeconds: Int, stallMs: Int
        do throws(UsageError) {
            request.sampleRate = try DeviceCommands.integer(parsed, "rate", default: 16_000, minimum: 1)
            request.channels = try DeviceCommands.integer(parsed, "channels", default: 1, minimum: 1)
            request.periodFrames = try DeviceCommands.integer(parsed, "period", default: 256, minimum: 16)
            request.bufferFrames = try DeviceCommands.integer(parsed, "buffer", default: 2_048, minimum: 32)
            retrySeconds = try DeviceCommands.integer(parsed, "retry-seconds", default: 0)
            stallMs = try DeviceCommands.integer(parsed, "stall-ms", default: 0)
            let text = parsed.value("seconds") ?? "2"
            guard let value = parseDouble(text), value > 0 else {
                throw .invalidValue(option: "seconds", value: text, expected: "a positive number")
            }
            seconds = value
        } catch {
            StandardStream.error.write("perch device mic: " + error.description + "\n")
            return 2
        }
        let source: any SampleSource
        let alsa: AlsaMicrophone?
        if name.hasSuffix(".wav") {
            alsa = nil
            source = WavFileMicrophone(path: name, periodFrames: request.periodFrames)
        } else {
            alsa = AlsaMicrophone(device: name, request: request)
            source = alsa!
        }
        do throws(DeviceError) { try source.start() } catch {
            printLine("mic: " + error.description)
            if retrySeconds == 0 || !error.isRecoverable { return 1 }
        }
        if let config = alsa?.configuration {
            printLine("mic " + name + ": " + config.description + " (asked " + String(request.sampleRate) + " Hz)")
        }
        let deadline = MonotonicClock.milliseconds + Int64(retrySeconds) * 1_000 + Int64(seconds * 1_000) + 2_000
        var samples: [Int16] = []
        var buffer = [Int16](repeating: 0, count: request.periodFrames * request.channels)
        var wanted = 0
        while true {
            // The rate is known only after start (the device may change it).
            wanted = Int(seconds * Double(source.format.sampleRate)) * source.format.channels
            if samples.count >= wanted || MonotonicClock.milliseconds > deadline { break }
            do throws(DeviceError) {
                let n = try buffer.withUnsafeMutableBufferPointer { b throws(DeviceError) in try source.read(into: b) }
                samples.append(contentsOf: buffer.prefix(n * source.format.channels))
                if stallMs > 0 && samples.count == n * source.format.channels {
                    printLine("mic: stalling " + String(stallMs) + " ms")
                    MonotonicClock.sleep(milliseconds: stallMs)
                }
            } catch {
                printLine("mic: " + error.description)
                break
            }
        }
        if samples.count > wanted { samples.removeLast(samples.count - wanted) }
        let stats = source.statistics
        var peak = 0
        for s in samples { peak = max(peak, abs(Int(s))) }
        printLine("mic summary: frames=" + String(samples.count / source.format.channels) + " rate="
                  + String(source.format.sampleRate) + " channels=" + String(source.format.channels)
                  + " peak=" + String(peak) + " overruns=" + String(stats.overruns) + " suspends="
                  + String(stats.suspends) + " reconnects=" + String(stats.reconnects) + " state=" + source.state.name)
        let format = source.format
        source.stop()
        if let output = parsed.value("output") {
            let bytes = output.hasSuffix(".wav") ? WAVFile.encode(WAVAudio(format: format, samples: samples))
                                                 : samples.withUnsafeBytes { Array($0) }
            do { try Files.write(output, bytes) } catch {
                printLine("mic: writing " + output + ": " + error.description)
                return 1
            }
        }
        return samples.count >= wanted ? 0 : 1
    }

    static func play(_ arguments: [String]) -> Int32 {
        var status: Int32 = 0
        let options: [OptionSpec] = [
            .value("pad-ms", valueName: "MS", help: "silence played after the file (default 0)"),
        ]
        guard let parsed = DeviceCommands.parse("play", arguments, options: options, usage: "PCM FILE.wav",
                                                positionals: 2, status: &status) else { return status }
        let name = parsed.positionals[0], path = parsed.positionals[1]
        let padMs = (try? DeviceCommands.integer(parsed, "pad-ms", default: 0)) ?? 0
        do throws(DeviceError) {
            var audio = try readWav(path)
            // Trailing silence keeps the end of the file away from the end of the stream.
            audio.samples += [Int16](repeating: 0, count: audio.format.sampleRate * padMs / 1_000 * audio.format.channels)
            let start = MonotonicClock.milliseconds
            let config = try AlsaPlayer.play(device: name, samples: audio.samples, format: audio.format)
            printLine("play " + name + ": " + String(audio.frameCount) + " frames, " + config.description + ", "
                      + String(MonotonicClock.milliseconds - start) + " ms")
            return 0
        } catch {
            printLine("play: " + error.description)
            return 1
        }
    }

    static func signal(_ arguments: [String]) -> Int32 {
        var status: Int32 = 0
        let options: [OptionSpec] = [
            .value("rate", valueName: "HZ", help: "sample rate (default 16000)"),
            .value("channels", valueName: "N", help: "channels (default 1)"),
            .value("milliseconds", valueName: "MS", help: "length (default 2000)"),
        ]
        guard let parsed = DeviceCommands.parse("signal", arguments, options: options, usage: "FILE.wav",
                                                positionals: 1, status: &status) else { return status }
        do throws(UsageError) {
            let rate = try DeviceCommands.integer(parsed, "rate", default: 16_000, minimum: 1)
            let channels = try DeviceCommands.integer(parsed, "channels", default: 1, minimum: 1)
            let ms = try DeviceCommands.integer(parsed, "milliseconds", default: 2_000, minimum: 1)
            let frames = rate * ms / 1_000
            let audio = WAVAudio(sampleRate: rate, channels: channels,
                                 samples: TestSignal.noise(frames: frames, channels: channels))
            do { try Files.write(parsed.positionals[0], WAVFile.encode(audio)) } catch {
                printLine("signal: " + error.description)
                return 1
            }
            printLine("signal " + parsed.positionals[0] + ": " + String(frames) + " frames, " + audio.format.description)
            return 0
        } catch {
            StandardStream.error.write("perch device signal: " + error.description + "\n")
            return 2
        }
    }

    static func compare(_ arguments: [String]) -> Int32 {
        var status: Int32 = 0
        let options: [OptionSpec] = [
            .value("max-gap-ms", valueName: "MS", help: "longest silent gap tolerated (default 4)"),
            .value("allowed-gaps", valueName: "N", help: "gaps tolerated (default 1)"),
        ]
        guard let parsed = DeviceCommands.parse("compare", arguments, options: options, usage: "REFERENCE.wav RECORDED",
                                                positionals: 2, status: &status) else { return status }
        do throws(DeviceError) {
            let reference = try readWav(parsed.positionals[0])
            let recordedPath = parsed.positionals[1]
            let recorded: [Int16]
            if recordedPath.hasSuffix(".wav") {
                recorded = try readWav(recordedPath).samples
            } else {
                let bytes = try readFile(recordedPath)
                recorded = bytes.withUnsafeBytes { Array($0.bindMemory(to: Int16.self)) }
            }
            let maxGapMs = (try? DeviceCommands.integer(parsed, "max-gap-ms", default: 4)) ?? 4
            let allowed = (try? DeviceCommands.integer(parsed, "allowed-gaps", default: 1)) ?? 1
            // One timer tick of silence can cover a few more frames than the tick itself.
            let maxGap = reference.format.sampleRate * maxGapMs / 1_000
            let result = LoopbackComparison.compare(reference: reference.samples, recorded: recorded,
                                                    channels: reference.format.channels, maxGapFrames: maxGap)
            let ok = result.matches(allowedGaps: allowed)
            printLine("compare: " + result.description + " result=" + (ok ? "ok" : "FAILED"))
            return ok ? 0 : 1
        } catch {
            printLine("compare: " + error.description)
            return 1
        }
    }

    static func readFile(_ path: String) throws(DeviceError) -> [UInt8] {
        do { return try Files.read(path) } catch { throw DeviceError.from(error, device: path, operation: "read") }
    }

    static func readWav(_ path: String) throws(DeviceError) -> WAVAudio {
        let bytes = try readFile(path)
        do { return try WAVFile.read(bytes, path: path) } catch { throw .mediaFile(error) }
    }
}
