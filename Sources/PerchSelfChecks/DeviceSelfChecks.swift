import PerchDevices
import PerchMedia

/// Device-layer checks that must hold on the target too: synthetic sources and the
/// loopback comparison, run by perch-selfcheck (no XCTest in embedded mode).
enum DeviceSelfChecks {
    static func run(_ r: CheckRunner) {
        let request = FrameRequest(width: 32, height: 24, pixelFormat: .rgb24, framesPerSecond: 30)
        let hashes = patternHashes(TestPatternCamera(request: request, paced: false), frames: 3)
        let again = patternHashes(TestPatternCamera(request: request, paced: false), frames: 3)
        r.check("test pattern is deterministic", hashes.count == 3 && hashes == again)
        r.check("test pattern moves", Set(hashes).count == 3)
        let yuyv = FrameRequest(width: 32, height: 24, pixelFormat: .yuyv, framesPerSecond: 30)
        r.check("test pattern in yuyv", patternHashes(TestPatternCamera(request: yuyv, paced: false), frames: 2).count == 2)

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
