import XCTest
import Foundation
@testable import PerchDevices
import PerchMedia
@testable import PerchSystem

final class SyntheticSourceTests: XCTestCase {
    func frames(_ camera: any FrameSource, count: Int) throws -> [(UInt32, FrameCheck, Int)] {
        var seen: [(UInt32, FrameCheck, Int)] = []
        try camera.start()
        defer { camera.stop() }
        while seen.count < count {
            _ = try camera.nextFrame(timeoutMs: 1_000) { frame in
                seen.append((frame.sequence, FrameCheck(frame), frame.bytes.count))
            }
        }
        return seen
    }

    func testTestPatternIsDeterministicMovingAndNumbered() throws {
        let request = FrameRequest(width: 64, height: 48, pixelFormat: .rgb24, framesPerSecond: 30)
        let a = try frames(TestPatternCamera(request: request, paced: false), count: 5)
        let b = try frames(TestPatternCamera(request: request, paced: false), count: 5)
        XCTAssertEqual(a.map { $0.1 }, b.map { $0.1 })
        XCTAssertEqual(a.map { $0.0 }, [0, 1, 2, 3, 4])
        XCTAssertEqual(Set(a.map { $0.1.hash }).count, 5, "every frame differs")
        XCTAssertTrue(a.allSatisfy { !$0.1.isConstant && $0.2 == 64 * 48 * 3 })
        let grey = try frames(TestPatternCamera(request: FrameRequest(width: 64, height: 48, pixelFormat: .grey), paced: false), count: 2)
        XCTAssertEqual(grey[0].2, 64 * 48)
        let yuyv = try frames(TestPatternCamera(request: FrameRequest(width: 64, height: 48, pixelFormat: .yuyv), paced: false), count: 2)
        XCTAssertEqual(yuyv[0].2, 64 * 48 * 2)
        XCTAssertFalse(yuyv[0].1.isConstant)
    }

    func testFrameViewSeesTheFrameBytes() throws {
        let camera = TestPatternCamera(request: FrameRequest(width: 6, height: 4, pixelFormat: .yuyv), paced: false)
        try camera.start()
        var rows: [[UInt8]] = [], bytes: [UInt8] = []
        _ = try camera.nextFrame(timeoutMs: 100) { frame in
            let view = frame.view
            XCTAssertEqual(view.format, .yuyv)
            XCTAssertEqual(view.stride, 12)
            rows = (0..<view.height).map { Array(UnsafeBufferPointer(start: view.row($0), count: view.stride)) }
            bytes = Array(frame.bytes)
        }
        XCTAssertEqual(rows.flatMap { $0 }, bytes)
    }

    func testTestPatternIsPacedAtTheRequestedRate() throws {
        let camera = TestPatternCamera(request: FrameRequest(width: 16, height: 16, framesPerSecond: 50))
        let start = MonotonicClock.nanoseconds
        _ = try frames(camera, count: 6)  // frame 0 at once, then 5 intervals of 20 ms
        let elapsedMs = (MonotonicClock.nanoseconds - start) / 1_000_000
        XCTAssertGreaterThanOrEqual(elapsedMs, 95)
        XCTAssertLessThan(elapsedMs, 1_000)
        XCTAssertEqual(camera.statistics.frames, 6)
        XCTAssertEqual(camera.statistics.dropped, 0)
    }

    func testImageFileCameraScalesAndConverts() throws {
        let dir = try temporaryFolder("image")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("two.ppm").path
        try Files.write(path, Array("P6 2 1 255\n".utf8) + [255, 0, 0, 0, 0, 255])
        let camera = ImageFileCamera(path: path, request: FrameRequest(width: 4, height: 2, pixelFormat: .grey), paced: false)
        var pixels: [UInt8] = []
        try camera.start()
        _ = try camera.nextFrame(timeoutMs: 100) { pixels = Array($0.bytes) }
        XCTAssertEqual(pixels, [76, 76, 28, 28, 76, 76, 28, 28])  // luma of red, blue

        let yuyv = ImageFileCamera(path: path, request: FrameRequest(width: 4, height: 1, pixelFormat: .yuyv), paced: false)
        try yuyv.start()
        _ = try yuyv.nextFrame(timeoutMs: 100) { pixels = Array($0.bytes) }
        // BT.601 limited range: red is Y 82, U 90, V 240; blue is Y 41, U 240, V 110.
        XCTAssertEqual(pixels, [82, 90, 82, 240, 41, 240, 41, 110])

        let pgmPath = dir.appendingPathComponent("two.pgm").path
        try Files.write(pgmPath, Array("P5 2 1 255\n".utf8) + [10, 200])
        let grey = ImageFileCamera(path: pgmPath, request: FrameRequest(width: 2, height: 1, pixelFormat: .rgb24), paced: false)
        try grey.start()
        _ = try grey.nextFrame(timeoutMs: 100) { pixels = Array($0.bytes) }
        XCTAssertEqual(pixels, [10, 10, 10, 200, 200, 200])

        let broken = dir.appendingPathComponent("broken.ppm").path
        try Files.write(broken, Array("P6 2 1 255\n".utf8) + [1, 2])
        XCTAssertThrowsError(try ImageFileCamera(path: broken, request: FrameRequest()).start()) { error in
            XCTAssertEqual(error as? DeviceError, .mediaFile(.truncated(path: broken, what: "PNM pixel data")))
            XCTAssertEqual((error as? DeviceError)?.description, broken + ": truncated: PNM pixel data")
        }

        let missing = ImageFileCamera(path: dir.appendingPathComponent("none.bmp").path, request: FrameRequest())
        XCTAssertThrowsError(try missing.start()) { error in
            guard case .notFound(let device, _)? = error as? DeviceError else { return XCTFail("\(error)") }
            XCTAssertTrue(device.hasSuffix("none.bmp"))
        }
    }

    func testWavMicrophoneLoopsAndPacesInRealTime() throws {
        let dir = try temporaryFolder("wav")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ramp.wav").path
        let samples = (0..<100).map { Int16($0) }
        try Files.write(path, WAVFile.encode(WAVAudio(format: AudioFormat(sampleRate: 8_000, channels: 1), samples: samples)))

        let mic = WavFileMicrophone(path: path, periodFrames: 80)
        try mic.start()
        XCTAssertEqual(mic.format, AudioFormat(sampleRate: 8_000, channels: 1))
        var got: [Int16] = []
        var buffer = [Int16](repeating: 0, count: 80)
        let start = MonotonicClock.nanoseconds
        for _ in 0..<10 {  // 800 frames = 100 ms at 8 kHz
            let n = try buffer.withUnsafeMutableBufferPointer { try mic.read(into: $0) }
            got += buffer.prefix(n)
        }
        let elapsedMs = (MonotonicClock.nanoseconds - start) / 1_000_000
        XCTAssertEqual(got.count, 800)
        XCTAssertEqual(Array(got[0..<100]), samples)
        XCTAssertEqual(Array(got[100..<200]), samples, "loops")
        XCTAssertGreaterThanOrEqual(elapsedMs, 95)
        XCTAssertEqual(mic.statistics.frames, 800)
    }

    func testWavMicrophoneRefusesFilesItCannotPlay() throws {
        let dir = try temporaryFolder("wav-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let float = dir.appendingPathComponent("float.wav").path
        var bytes = WAVFile.encode(WAVAudio(sampleRate: 8_000, channels: 1, samples: [0, 0]))
        bytes[20] = 3  // IEEE float
        try Files.write(float, bytes)
        XCTAssertThrowsError(try WavFileMicrophone(path: float, paced: false).start()) { error in
            XCTAssertEqual(error as? DeviceError, .mediaFile(.unsupported(path: float, what: "WAV format 3 (integer PCM only)")))
        }
        let empty = dir.appendingPathComponent("empty.wav").path
        try Files.write(empty, WAVFile.encode(WAVAudio(sampleRate: 8_000, channels: 1, samples: [])))
        XCTAssertThrowsError(try WavFileMicrophone(path: empty, paced: false).start()) { error in
            XCTAssertEqual(error as? DeviceError, .unsupported(device: empty, "WAV file has no samples to play"))
        }
    }
}
