import Foundation
import Glibc
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

/// No silent loss on /v1/events: a subscriber that loses its connection and comes back with
/// `since=<last seq it saw>` gets every later event exactly once and in order, or, when the
/// daemon's ring no longer holds some of them, an explicit gap line naming exactly those.
final class EventReconnectTests: XCTestCase {
    var directory = ""

    override func setUp() {
        signal(SIGPIPE, SIG_IGN)
        directory = makeTemporaryDirectory()
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    static let ring = 16

    func blinkingDaemon() throws -> DaemonProcess {
        try DaemonProcess(arguments: ["--config", try blinkingConfig(in: directory, ring: EventReconnectTests.ring)])
    }

    /// One line of the stream: an event's seq, or a gap's range.
    enum Line: Equatable {
        case event(Int64)
        case gap(from: Int64, to: Int64)
    }

    /// Opens /v1/events?since=`since`, reads `count` lines and drops the connection.
    func read(_ daemon: DaemonProcess, since: Int64, count: Int) throws -> [Line] {
        var lines: [Line] = []
        let client = try UnixSocketClient(path: daemon.socket, timeoutMilliseconds: 20_000)
        let head = try client.streamLines("/v1/events?since=" + String(since)) { bytes in
            guard let o = try? JSONParser(parseDouble: parseDouble).parse(bytes).objectValue else {
                XCTFail("not JSON: " + String(decoding: bytes, as: UTF8.self))
                return false
            }
            if let gap = o["gap"]?.objectValue {
                lines.append(.gap(from: gap["from"]?.int64Value ?? -1, to: gap["to"]?.int64Value ?? -1))
            } else {
                lines.append(.event(o["seq"]?.int64Value ?? -1))
            }
            return lines.count < count
        }
        XCTAssertEqual(head.status.code, 200)
        return lines
    }

    func seqs(_ lines: [Line]) -> [Int64] {
        lines.compactMap { if case .event(let s) = $0 { return s } else { return nil } }
    }

    func testABriefDropLosesNothingAndRepeatsNothing() throws {
        let daemon = try blinkingDaemon()
        let first = try read(daemon, since: 0, count: 5)
        XCTAssertEqual(seqs(first), [1, 2, 3, 4, 5])
        // Dropped; events go on meanwhile, fewer than the ring holds.
        usleep(300_000)
        let missed = try daemon.statusNumber("last_event_seq") - 5
        XCTAssertLessThan(missed, Int64(EventReconnectTests.ring), "the ring wrapped during a 300 ms drop")
        let second = try read(daemon, since: 5, count: 10)
        XCTAssertFalse(second.contains { if case .gap = $0 { return true } else { return false } }, "\(second)")
        XCTAssertEqual(seqs(second), Array(6...15), "every later event once, in order")
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// After a restart seq starts again at 1: a client's `since` from the previous daemon is
    /// beyond anything this one published, so it gets this daemon's events from the first.
    func testASinceFromBeforeARestartGetsEveryEventOfTheNewDaemon() throws {
        let daemon = try blinkingDaemon()
        let lines = try read(daemon, since: 1_000_000, count: 6)
        var expected: Int64 = 1
        if case .gap(let from, let to)? = lines.first {  // the ring wrapped before we connected
            XCTAssertEqual(from, 1)
            expected = to + 1
        }
        let events = seqs(lines)
        XCTAssertEqual(events, Array(expected..<(expected + Int64(events.count))), "\(lines)")
        XCTAssertGreaterThanOrEqual(events.count, 5)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testALongDropGetsAGapLineNamingExactlyTheLostEvents() throws {
        let daemon = try blinkingDaemon()
        let first = try read(daemon, since: 0, count: 3)
        XCTAssertEqual(seqs(first), [1, 2, 3])
        // Dropped until the ring no longer holds event 4.
        let wrapped = Int64(3 + EventReconnectTests.ring + 2)
        XCTAssertTrue(try eventually(60) { try daemon.statusNumber("last_event_seq") > wrapped })
        let second = try read(daemon, since: 3, count: 1 + EventReconnectTests.ring + 3)
        guard case .gap(let from, let to)? = second.first else { return XCTFail("no gap line first: \(second)") }
        XCTAssertEqual(from, 4)
        let rest = seqs(Array(second.dropFirst()))
        XCTAssertEqual(rest.count, second.count - 1, "one gap line only: \(second)")
        // After the gap: the oldest held event, then every one after it, once and in order.
        XCTAssertEqual(rest.first, to + 1)
        XCTAssertEqual(rest, Array((to + 1)...(to + Int64(rest.count))))
        XCTAssertGreaterThanOrEqual(to, wrapped - Int64(EventReconnectTests.ring), "the ring held more than the gap says")
        XCTAssertEqual(daemon.stop(), 0)
    }
}

/// A configuration whose camera alternates a white and a black still every 300 ms: light_on
/// and door_open start and end about six times a second, so a `ring`-event ring wraps within
/// seconds.
func blinkingConfig(in directory: String, ring: Int) throws -> String {
    let white = directory + "/white.ppm", black = directory + "/black.ppm"
    let header = Array("P6\n32 24\n255\n".utf8)
    try Data(header + [UInt8](repeating: 255, count: 32 * 24 * 3)).write(to: URL(fileURLWithPath: white))
    try Data(header + [UInt8](repeating: 0, count: 32 * 24 * 3)).write(to: URL(fileURLWithPath: black))
    try "white.ppm 300\nblack.ppm 300\n".write(toFile: directory + "/frames.txt", atomically: true, encoding: .utf8)
    let config = try writeTestConfig(in: directory, rate: "10", extra: """
        [rule av.door_open]
        on = 0.6
        off = 0.4
        """)
    var text = try String(contentsOfFile: config, encoding: .utf8)
    text = text.replacingOccurrences(of: "event-buffer = 8", with: "event-buffer = " + String(ring))
        .replacingOccurrences(of: "device = test-pattern", with: "device = sequence:" + directory + "/frames.txt")
    try text.write(toFile: config, atomically: true, encoding: .utf8)
    return config
}
