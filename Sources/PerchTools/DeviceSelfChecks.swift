import PerchSystem
import PerchDevices

/// Device-layer checks that must hold on the target too: file parsers, synthetic
/// sources and the loopback comparison, run by perch-selfcheck (no XCTest in embedded mode).
enum DeviceSelfChecks {
    static func run(_ r: CheckRunner) {
        let audio = WavAudio(format: AudioFormat(sampleRate: 16_000, channels: 2), samples: [1, -2, 32_767, -32_768])
        r.check("wav round trip", (try? WavFile.decode(WavFile.encode(audio), path: "x.wav")) == audio)
        r.check("wav rejects non-RIFF", (try? WavFile.decode([1, 2, 3], path: "x.wav")) == nil)

        let ppm = Array("P6 2 1 255\n".utf8) + [255, 0, 0, 0, 0, 255]
        let image = try? ImageFileReader.decode(ppm, path: "x.ppm")
        r.check("ppm decode", image?.width == 2 && image?.pixels == [255, 0, 0, 0, 0, 255])

        let request = FrameRequest(width: 32, height: 24, pixelFormat: .rgb24, framesPerSecond: 30)
        let hashes = patternHashes(TestPatternCamera(request: request, paced: false), frames: 3)
        let again = patternHashes(TestPatternCamera(request: request, paced: false), frames: 3)
        r.check("test pattern is deterministic", hashes.count == 3 && hashes == again)
        r.check("test pattern moves", Set(hashes).count == 3)

        let reference = TestSignal.noise(frames: 1_000, channels: 1)
        let recorded = [Int16](repeating: 0, count: 100) + Array(reference[..<500])
            + [Int16](repeating: 0, count: 64) + Array(reference[500...])
        let match = LoopbackComparison.compare(reference: reference, recorded: recorded, maxGapFrames: 64)
        r.check("loopback comparison tolerates one gap", match.matches(allowedGaps: 1) && match.offsetFrames == 100,
                match.description)
        r.check("backoff doubles", { var b = Backoff(); return [b.nextDelayMs(), b.nextDelayMs()] == [100, 200] }())
    }

    private static func patternHashes(_ camera: any FrameSource, frames: Int) -> [UInt32] {
        var hashes: [UInt32] = []
        do throws(DeviceError) {
            try camera.start()
            for _ in 0..<frames { _ = try camera.nextFrame(timeoutMs: 100) { hashes.append(FrameCheck($0).hash) } }
        } catch {
            return []
        }
        return hashes
    }
}
