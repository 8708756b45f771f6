import XCTest
import Foundation
@testable import PerchDevices
import PerchMedia
@testable import PerchSystem

/// The playlist camera (`sequence:PATH`): order, durations in frames, looping, scaling and
/// the errors for a bad list.
final class ImageSequenceCameraTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("perch-sequence-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Three 2x1 pictures, each one colour: red, green, blue (the last in a sub-folder).
        try Files.write(path("red.ppm"), Array("P6 2 1 255\n".utf8) + [255, 0, 0, 255, 0, 0])
        try Files.write(path("green.ppm"), Array("P6 2 1 255\n".utf8) + [0, 255, 0, 0, 255, 0])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Files.write(path("sub/blue.ppm"), Array("P6 2 1 255\n".utf8) + [0, 0, 255, 0, 0, 255])
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    private func list(_ text: String, name: String = "frames.txt") throws -> String {
        try Files.write(path(name), Array(text.utf8))
        return path(name)
    }

    /// The first byte (red channel) of `count` frames: 255 red, 0 otherwise; and the colours.
    private func colours(_ camera: ImageSequenceCamera, count: Int) throws -> [String] {
        var seen: [String] = []
        try camera.start()
        defer { camera.stop() }
        while seen.count < count {
            _ = try camera.nextFrame(timeoutMs: 1_000) { frame in
                let b = Array(frame.bytes)
                seen.append(b[0] == 255 ? "r" : b[1] == 255 ? "g" : b[2] == 255 ? "b" : "?")
            }
        }
        return seen
    }

    func testPlaysInOrderForTheDurationsAndLoops() throws {
        // At 10 fps: 200 ms = 2 frames, 100 ms = 1 frame, 300 ms = 3 frames.
        let file = try list("# demo\nred.ppm 200\n\ngreen.ppm 100   # short\n  sub/blue.ppm\t300\n")
        let camera = ImageSequenceCamera(listPath: file, request: FrameRequest(width: 2, height: 1, framesPerSecond: 10),
                                         paced: false)
        XCTAssertEqual(try colours(camera, count: 14).joined(), "rrgbbbrrgbbbrr")
        XCTAssertEqual(camera.loopFrames, 6)
        XCTAssertEqual(camera.entries.map { $0.frames }, [2, 1, 3])
        XCTAssertEqual(camera.paths, [path("red.ppm"), path("green.ppm"), path("sub/blue.ppm")])
        XCTAssertEqual(camera.statistics.frames, 14)
        XCTAssertEqual(camera.name, file)
    }

    func testRepeatedFilesAreReadOnceAndRoundingKeepsTheLoopLength() throws {
        // 15 fps: 250 ms = 3.75 frames; cumulative rounding gives 4 + 4 + 3 + 4 = 15 frames for 1 s.
        let file = try list("red.ppm 250\ngreen.ppm 250\nred.ppm 250\nsub/blue.ppm 250\n")
        let camera = ImageSequenceCamera(listPath: file, request: FrameRequest(width: 2, height: 1, framesPerSecond: 15),
                                         paced: false)
        XCTAssertEqual(try colours(camera, count: 15).joined(), "rrrrggggrrrbbbb")
        XCTAssertEqual(camera.entries.map { $0.frames }, [4, 4, 3, 4])
        XCTAssertEqual(camera.loopFrames, 15)
        XCTAssertEqual(camera.paths.count, 3, "red.ppm is read once")
        // A duration shorter than a frame still shows the picture once.
        let short = ImageSequenceCamera(listPath: try list("red.ppm 10\ngreen.ppm 1000\n", name: "short.txt"),
                                        request: FrameRequest(width: 2, height: 1, framesPerSecond: 5), paced: false)
        XCTAssertEqual(try colours(short, count: 7).joined(), "rgggggr")
    }

    func testScalesAndConvertsLikeTheImageCamera() throws {
        let file = try list("red.ppm 100\nsub/blue.ppm 100\n")
        let camera = ImageSequenceCamera(listPath: file, request: FrameRequest(width: 4, height: 2, pixelFormat: .grey,
                                                                               framesPerSecond: 10), paced: false)
        var frames: [[UInt8]] = []
        try camera.start()
        for _ in 0..<2 { _ = try camera.nextFrame(timeoutMs: 100) { frames.append(Array($0.bytes)) } }
        XCTAssertEqual(frames, [[UInt8](repeating: 76, count: 8), [UInt8](repeating: 28, count: 8)])  // luma of red, blue
        XCTAssertEqual(camera.format.width, 4)
        XCTAssertEqual(camera.format.pixelFormat, .grey)

        // Size 0 keeps the first picture's size.
        let native = ImageSequenceCamera(listPath: file, request: FrameRequest(width: 0, height: 0), paced: false)
        try native.start()
        XCTAssertEqual(native.format.width, 2)
        XCTAssertEqual(native.format.height, 1)
    }

    func testAbsolutePathsAndListsWithoutAFolder() throws {
        XCTAssertEqual(ImageSequenceCamera.resolve("/srv/a.ppm", list: "/x/frames.txt"), "/srv/a.ppm")
        XCTAssertEqual(ImageSequenceCamera.resolve("a.ppm", list: "/x/frames.txt"), "/x/a.ppm")
        XCTAssertEqual(ImageSequenceCamera.resolve("a.ppm", list: "frames.txt"), "a.ppm")
        XCTAssertEqual(ImageSequenceCamera.resolve("a.ppm", list: "/frames.txt"), "/a.ppm")
        XCTAssertEqual(ImageSequenceCamera.resolve("d/a b.ppm", list: "demo/frames.txt"), "demo/d/a b.ppm")
        let file = try list(path("green.ppm") + " 100\n")
        let camera = ImageSequenceCamera(listPath: file, request: FrameRequest(width: 2, height: 1), paced: false)
        XCTAssertEqual(try colours(camera, count: 2).joined(), "gg")
    }

    func testBadLinesNameTheListAndLine() throws {
        for (text, line, got) in [("red.ppm 100\nred.ppm\n", 2, "red.ppm"), ("red.ppm 100\n\nred.ppm 0.5\n", 3, "red.ppm 0.5"),
                                  ("red.ppm 100\n# c\ngreen.ppm 0 # none\n", 3, "green.ppm 0"),
                                  ("red.ppm -5\n", 1, "red.ppm -5"), ("500\n", 1, "500")] {
            let file = try list(text)
            XCTAssertThrowsError(try ImageSequenceCamera(listPath: file, request: FrameRequest()).start()) { error in
                XCTAssertEqual(error as? DeviceError, .invalidArgument(
                    file + ":" + String(line) + ": expected FILE DURATION_MS (a duration in whole milliseconds above 0), got \""
                        + got + "\""), text)
            }
        }
        let empty = try list("# nothing\n\n")
        XCTAssertThrowsError(try ImageSequenceCamera(listPath: empty, request: FrameRequest()).start()) { error in
            XCTAssertEqual((error as? DeviceError)?.description,
                           "invalid argument: " + empty + ": no frames listed (expected lines of FILE DURATION_MS)")
        }
    }

    func testMissingAndBrokenFramesNameTheListAndLine() throws {
        let file = try list("red.ppm 100\nmissing.ppm 100\n")
        let camera = ImageSequenceCamera(listPath: file, request: FrameRequest())
        XCTAssertThrowsError(try camera.start()) { error in
            guard case .notFound(let device, _)? = error as? DeviceError else { return XCTFail("\(error)") }
            XCTAssertEqual(device, file + ":2: " + path("missing.ppm"))
            XCTAssertTrue((error as? DeviceError)?.isRecoverable ?? false)
        }
        XCTAssertEqual(camera.state, .closed)

        try Files.write(path("broken.ppm"), Array("P6 2 1 255\n".utf8) + [1, 2])
        let broken = try list("broken.ppm 100\n")
        XCTAssertThrowsError(try ImageSequenceCamera(listPath: broken, request: FrameRequest()).start()) { error in
            XCTAssertEqual((error as? DeviceError)?.description,
                           "invalid argument: " + broken + ":1: " + path("broken.ppm") + ": truncated: PNM pixel data")
        }

        let noList = ImageSequenceCamera(listPath: path("none.txt"), request: FrameRequest())
        XCTAssertThrowsError(try noList.start()) { error in
            guard case .notFound(let device, _)? = error as? DeviceError else { return XCTFail("\(error)") }
            XCTAssertEqual(device, path("none.txt"))
        }
        XCTAssertThrowsError(try noList.nextFrame(timeoutMs: 1) { _ in }) { error in
            XCTAssertEqual((error as? DeviceError)?.description,
                           "invalid argument: image sequence camera " + path("none.txt") + " is not started")
        }
    }

    func testPacedAtTheRequestedRate() throws {
        let camera = ImageSequenceCamera(listPath: try list("red.ppm 40\ngreen.ppm 40\n"),
                                         request: FrameRequest(width: 2, height: 1, framesPerSecond: 50))
        let start = MonotonicClock.nanoseconds
        XCTAssertEqual(try colours(camera, count: 6).joined(), "rrggrr")  // 0 at once, then 5 x 20 ms
        let elapsedMs = (MonotonicClock.nanoseconds - start) / 1_000_000
        XCTAssertGreaterThanOrEqual(elapsedMs, 95)
        XCTAssertLessThan(elapsedMs, 1_000)
    }

    func testTheShippedDemoScene() throws {
        // models/perch-av/demo/frames.txt: 22 s at 15 fps, as long as demo.wav.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let demo = root.appendingPathComponent("models/perch-av/demo/frames.txt").path
        let camera = ImageSequenceCamera(listPath: demo, request: FrameRequest(width: 160, height: 120, framesPerSecond: 15),
                                         paced: false)
        try camera.start()
        XCTAssertEqual(camera.loopFrames, 22 * 15)
        XCTAssertEqual(camera.entries.map { $0.durationMs }, [4000, 5000, 4500, 4500, 4000])
        XCTAssertEqual(camera.paths.count, 4)
        let wav = try WAVFile.read(Files.read(root.appendingPathComponent("models/perch-av/demo/demo.wav").path),
                                    path: "demo.wav")
        XCTAssertEqual(wav.sampleRate, 16_000)
        XCTAssertEqual(wav.frameCount, 22 * 16_000)
    }
}
