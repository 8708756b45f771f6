import XCTest
@testable import PerchDaemonCore

/// The feature frames a model's audio input is cut from, and the live view's spectrogram.
final class FeatureRingTests: XCTestCase {
    private func frame(_ value: Int8, size: Int = 3) -> [Int8] { [Int8](repeating: value, count: size) }

    private func append(_ ring: FeatureRing, _ frame: [Int8]) {
        frame.withUnsafeBufferPointer { ring.append($0) }
    }

    private func latest(_ ring: FeatureRing, _ frames: Int, size: Int = 3) -> (real: Int, bytes: [Int8]) {
        var bytes = [UInt8](repeating: 0xAA, count: frames * size)
        let real = bytes.withUnsafeMutableBytes { ring.latest(frames, into: $0) }
        return (real, bytes.map { Int8(bitPattern: $0) })
    }

    func testLatestWindowIsZeroFilledAtTheFrontUntilTheFramesArrive() {
        let ring = FeatureRing(frameSize: 3, capacity: 4)
        XCTAssertEqual(latest(ring, 2).real, 0)
        XCTAssertEqual(latest(ring, 2).bytes, frame(0, size: 6))
        append(ring, frame(1))
        XCTAssertEqual(latest(ring, 2).real, 1)
        XCTAssertEqual(latest(ring, 2).bytes, frame(0) + frame(1))
        for v in 2...6 { append(ring, frame(Int8(v))) }  // wraps: holds 3, 4, 5, 6
        XCTAssertEqual(ring.totalFrames, 6)
        XCTAssertEqual(latest(ring, 4).bytes, frame(3) + frame(4) + frame(5) + frame(6))
        XCTAssertEqual(latest(ring, 2).bytes, frame(5) + frame(6))
        // More than the ring holds: the frames it has, zeros before them.
        let six = latest(ring, 6)
        XCTAssertEqual(six.real, 4)
        XCTAssertEqual(six.bytes, frame(0, size: 6) + frame(3) + frame(4) + frame(5) + frame(6))
    }

    func testShortFramesArePaddedAndLongOnesCut() {
        let ring = FeatureRing(frameSize: 3, capacity: 2)
        append(ring, [7])
        append(ring, [1, 2, 3, 4, 5])
        XCTAssertEqual(latest(ring, 2).bytes, [7, 0, 0, 1, 2, 3])
    }

    func testRecentFramesSinceACount() {
        let ring = FeatureRing(frameSize: 2, capacity: 3)
        for v in 1...5 { append(ring, frame(Int8(v), size: 2)) }
        let all = ring.recent(since: 0)
        XCTAssertEqual(all.total, 5)
        XCTAssertEqual(all.frames, frame(3, size: 2) + frame(4, size: 2) + frame(5, size: 2), "only the ring's capacity is left")
        XCTAssertEqual(ring.recent(since: 4).frames, frame(5, size: 2))
        XCTAssertEqual(ring.recent(since: 5).frames, [])
        XCTAssertEqual(ring.recent(since: 9).frames, [], "a count from the future gives nothing")
    }
}
