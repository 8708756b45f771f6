import XCTest
@testable import PerchDevices

final class LoopbackComparisonTests: XCTestCase {
    let reference = TestSignal.noise(frames: 2_000, channels: 1)

    func testFindsTheReferenceAfterLeadingSilence() {
        let recorded = [Int16](repeating: 0, count: 300) + reference + [Int16](repeating: 0, count: 50)
        let result = LoopbackComparison.compare(reference: reference, recorded: recorded, maxGapFrames: 64)
        XCTAssertEqual(result.offsetFrames, 300)
        XCTAssertEqual(result.matchedFrames, 2_000)
        XCTAssertTrue(result.matches(allowedGaps: 0), result.description)
    }

    func testToleratesOneInsertedOrReplacingGapButNotTwo() {
        let gap = [Int16](repeating: 0, count: 64)  // 4 ms at 16 kHz
        let inserted = Array(reference[..<700]) + gap + Array(reference[700...])
        let a = LoopbackComparison.compare(reference: reference, recorded: inserted, maxGapFrames: 64)
        XCTAssertTrue(a.matches(allowedGaps: 1), a.description)
        XCTAssertEqual(a.gaps, [LoopbackComparison.Gap(atFrame: 700, silentFrames: 64)])

        let replaced = Array(reference[..<700]) + gap + Array(reference[764...])
        let b = LoopbackComparison.compare(reference: reference, recorded: replaced, maxGapFrames: 64)
        XCTAssertTrue(b.matches(allowedGaps: 1), b.description)

        let twice = Array(inserted[..<1_500]) + gap + Array(inserted[1_500...])
        let c = LoopbackComparison.compare(reference: reference, recorded: twice, maxGapFrames: 64)
        XCTAssertFalse(c.matches(allowedGaps: 1), c.description)
        XCTAssertEqual(c.gaps.count, 2)
    }

    func testReportsCorruptionAndShortRecordings() {
        var corrupted = reference
        corrupted[1_000] = corrupted[1_000] &+ 1
        let a = LoopbackComparison.compare(reference: reference, recorded: corrupted, maxGapFrames: 64)
        XCTAssertEqual(a.mismatchAtFrame, 1_000)
        XCTAssertFalse(a.matches(allowedGaps: 1))

        let short = LoopbackComparison.compare(reference: reference, recorded: Array(reference[..<1_500]), maxGapFrames: 64)
        XCTAssertEqual(short.mismatchAtFrame, 1_500)
        XCTAssertNil(LoopbackComparison.compare(reference: reference, recorded: [0, 0, 0], maxGapFrames: 64).offsetFrames)
    }

    func testNoiseIsNeverSilent() {
        XCTAssertFalse(TestSignal.noise(frames: 50_000, channels: 2).contains(0))
    }
}
