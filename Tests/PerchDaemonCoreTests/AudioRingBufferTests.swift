import XCTest
import Foundation
@testable import PerchDaemonCore

final class AudioRingBufferTests: XCTestCase {
    func testLatestWindowBeforeAndAfterWrap() {
        let ring = AudioRingBuffer(capacity: 8)
        XCTAssertNil(ring.latest(1), "nothing written yet")
        ring.append([1, 2, 3])
        XCTAssertNil(ring.latest(4), "only 3 samples so far")
        XCTAssertEqual(ring.latest(3), [1, 2, 3])
        XCTAssertEqual(ring.latest(2), [2, 3])
        ring.append([4, 5, 6, 7, 8, 9, 10])  // wraps: holds 3...10
        XCTAssertEqual(ring.latest(8), [3, 4, 5, 6, 7, 8, 9, 10])
        XCTAssertEqual(ring.latest(5), [6, 7, 8, 9, 10])
        XCTAssertNil(ring.latest(9), "more than the capacity")
        XCTAssertEqual(ring.totalSamples, 10)
        XCTAssertEqual(ring.latest(0), [])
    }

    func testOversizedAppendKeepsTheTail() {
        let ring = AudioRingBuffer(capacity: 4)
        ring.append([Int16](1...10))
        XCTAssertEqual(ring.latest(4), [7, 8, 9, 10])
        ring.append([11])
        XCTAssertEqual(ring.latest(4), [8, 9, 10, 11])
    }

    func testLatestIntoCallerBufferLeavesItUntouchedWhenShort() {
        let ring = AudioRingBuffer(capacity: 4)
        ring.append([5])
        var window: [Int16] = [-1, -1]
        XCTAssertFalse(window.withUnsafeMutableBufferPointer { ring.latest(into: $0) })
        XCTAssertEqual(window, [-1, -1])
        ring.append([6])
        XCTAssertTrue(window.withUnsafeMutableBufferPointer { ring.latest(into: $0) })
        XCTAssertEqual(window, [5, 6])
    }

    func testWaitForSamples() {
        let ring = AudioRingBuffer(capacity: 16)
        XCTAssertFalse(ring.wait(untilTotal: 1, timeoutMilliseconds: 20))
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.05)
            ring.append([1, 2, 3, 4])
        }
        let start = Date()
        XCTAssertTrue(ring.wait(untilTotal: 4, timeoutMilliseconds: 5_000))
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
    }

    /// A writer appends a ramp in periods while a reader cuts windows: every window is a
    /// run of consecutive values (never torn across a write), ending at or before the last written.
    func testConcurrentWindowsAreNeverTorn() {
        let ring = AudioRingBuffer(capacity: 1_024)
        let periods = 2_000, period = 160
        let writerDone = expectation(description: "writer")
        Thread.detachNewThread {
            var next = 0
            for _ in 0..<periods {
                ring.append((0..<period).map { Int16(truncatingIfNeeded: next + $0) })
                next += period
            }
            writerDone.fulfill()
        }
        var windows = 0
        while ring.totalSamples < UInt64(periods * period) {
            guard let window = ring.latest(400) else { continue }
            windows += 1
            for i in 1..<window.count where window[i] != window[i - 1] &+ 1 {
                XCTFail("torn window at \(i): \(window[i - 1]) then \(window[i])")
                return
            }
        }
        wait(for: [writerDone], timeout: 30)
        XCTAssertGreaterThan(windows, 0)
        XCTAssertEqual(ring.latest(1), [Int16(truncatingIfNeeded: periods * period - 1)])
    }

    func testSamplesByPositionAcrossTheWrapAndOnceOverwritten() {
        let ring = AudioRingBuffer(capacity: 8)
        ring.append((0..<6).map { Int16($0) })
        XCTAssertEqual(ring.samples(from: 2, count: 3), [2, 3, 4])
        XCTAssertNil(ring.samples(from: 4, count: 3), "sample 6 has not arrived")
        ring.append((6..<13).map { Int16($0) })  // 13 written: 5...12 kept
        XCTAssertEqual(ring.samples(from: 5, count: 8), [5, 6, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(ring.samples(from: 10, count: 3), [10, 11, 12])
        XCTAssertNil(ring.samples(from: 4, count: 2), "sample 4 was overwritten")
    }
}
