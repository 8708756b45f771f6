import XCTest
@testable import PerchDaemonCore

final class EventRingTests: XCTestCase {
    private func event(_ seq: UInt64) -> Event {
        Event(seq: seq, time: 1_000 + Int64(seq), model: "m", label: "l", state: seq % 2 == 1 ? .start : .end, score: 0.5)
    }

    private func ring(capacity: Int, holding count: UInt64) -> EventRing {
        var ring = EventRing(capacity: capacity)
        for seq in 1...count { ring.append(event(seq)) }
        return ring
    }

    func testReplayWithinTheRing() {
        let r = ring(capacity: 4, holding: 3)
        XCTAssertEqual(r.replay(since: 0), EventReplay(gap: nil, events: [event(1), event(2), event(3)]))
        XCTAssertEqual(r.replay(since: 2), EventReplay(gap: nil, events: [event(3)]))
        XCTAssertEqual(r.replay(since: 3), EventReplay(gap: nil, events: []))
    }

    func testWrapKeepsTheNewestInOrder() {
        let r = ring(capacity: 4, holding: 10)
        XCTAssertEqual(r.count, 4)
        XCTAssertEqual(r.events.map { $0.seq }, [7, 8, 9, 10])
        XCTAssertEqual(r.replay(since: 6), EventReplay(gap: nil, events: [event(7), event(8), event(9), event(10)]))
        XCTAssertEqual(r.replay(since: 8).events.map { $0.seq }, [9, 10])
    }

    func testGapWhenTheClientIsOlderThanTheRing() {
        let r = ring(capacity: 4, holding: 10)
        // Events 3...6 were overwritten.
        XCTAssertEqual(r.replay(since: 2), EventReplay(gap: EventGap(from: 3, to: 6), events: r.events))
        XCTAssertEqual(r.replay(since: 5).gap, EventGap(from: 6, to: 6))
        XCTAssertEqual(r.replay(since: 0).gap, EventGap(from: 1, to: 6))
    }

    func testSeqFromBeforeARestartReplaysEverything() {
        let r = ring(capacity: 4, holding: 3)
        XCTAssertEqual(r.replay(since: 99), EventReplay(gap: nil, events: [event(1), event(2), event(3)]))
        XCTAssertEqual(EventRing(capacity: 2).replay(since: 5), EventReplay(gap: nil, events: []))
    }
}
