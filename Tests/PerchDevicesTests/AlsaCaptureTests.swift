import XCTest
import Foundation
@testable import PerchDevices
@testable import PerchSystem

/// The real ALSA capture code against libasound's `file` plugin: a capture PCM whose
/// samples come from a raw file (slave `null` provides the stream), so no sound card is
/// needed. ALSA_CONFIG_PATH lists the system configuration plus a test file that defines
/// the PCM; libasound reads it on every snd_pcm_open.
final class AlsaCaptureTests: XCTestCase {
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perch-devices-alsa-\(getpid())")
    static let rawSamples = TestSignal.noise(frames: 16_000, channels: 1, seed: 7)

    override class func setUp() {
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let raw = folder.appendingPathComponent("in.raw").path
        let bytes = rawSamples.withUnsafeBytes { Array($0) }
        try! Files.write(raw, bytes)
        let conf = folder.appendingPathComponent("perch-test.conf")
        let text = """
        pcm.perchfilecap {
            type file
            slave.pcm "null"
            file "/dev/null"
            infile "\(raw)"
            format "raw"
        }
        """
        try! text.write(to: conf, atomically: true, encoding: .utf8)
        setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:" + conf.path, 1)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    func testCapturesTheFileThroughTheRealPCMCode() throws {
        let mic = AlsaMicrophone(device: "perchfilecap", request: AudioRequest(sampleRate: 16_000, channels: 1,
                                                                               periodFrames: 256, bufferFrames: 1_024))
        try mic.start()
        defer { mic.stop() }
        XCTAssertEqual(mic.state, .running)
        XCTAssertEqual(mic.format, AudioFormat(sampleRate: 16_000, channels: 1))
        let config = try XCTUnwrap(mic.configuration)
        XCTAssertEqual(config.sampleRate, 16_000)
        XCTAssertGreaterThan(config.periodFrames, 0)
        XCTAssertGreaterThanOrEqual(config.bufferFrames, config.periodFrames)

        var got: [Int16] = []
        var buffer = [Int16](repeating: 0, count: 256)
        while got.count < 8_000 {
            let n = try buffer.withUnsafeMutableBufferPointer { try mic.read(into: $0) }
            XCTAssertGreaterThan(n, 0)
            got += buffer.prefix(n)
        }
        XCTAssertEqual(Array(got[..<8_000]), Array(Self.rawSamples[..<8_000]))
        XCTAssertEqual(mic.statistics.frames, got.count)
        XCTAssertEqual(mic.statistics.overruns, 0)
    }

    func testStereoRequestIsHonoured() throws {
        let mic = AlsaMicrophone(device: "perchfilecap", request: AudioRequest(sampleRate: 48_000, channels: 2))
        try mic.start()
        defer { mic.stop() }
        XCTAssertEqual(mic.format, AudioFormat(sampleRate: 48_000, channels: 2))
        var buffer = [Int16](repeating: 0, count: 512)
        let n = try buffer.withUnsafeMutableBufferPointer { try mic.read(into: $0) }
        XCTAssertEqual(Array(buffer[..<(2 * n)]), Array(Self.rawSamples[..<(2 * n)]))
    }

    func testUnknownPCMNameIsANamedRecoverableError() {
        let mic = AlsaMicrophone(device: "perch-no-such-pcm", request: AudioRequest())
        XCTAssertThrowsError(try mic.start()) { error in
            guard let error = error as? DeviceError, case .notFound(let device, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(device, "perch-no-such-pcm")
        }
        guard case .waiting = mic.state else { return XCTFail("state \(mic.state)") }
    }

    func testMissingCardIsANamedError() {
        let mic = AlsaMicrophone(device: "hw:29,0", request: AudioRequest())
        XCTAssertThrowsError(try mic.start()) { error in
            XCTAssertTrue((error as? DeviceError)?.description.hasPrefix("hw:29,0: ") ?? false, "\(error)")
        }
    }
}
