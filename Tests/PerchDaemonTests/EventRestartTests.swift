import Foundation
import Glibc
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

/// A restart is visible: every event line and /v1/status carry the daemon's instance id; a
/// client coming back with another instance's `since` gets a reset line and this daemon's
/// events from its first held one; `perch watch --follow` carries on across a restart
/// without losing or repeating an event.
final class EventRestartTests: XCTestCase {
    var directory = ""
    var socket = ""
    var config = ""

    override func setUp() {
        signal(SIGPIPE, SIG_IGN)
        directory = makeTemporaryDirectory()
        socket = directory + "/perchd.sock"
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// A perchd on the test's one socket path, as systemd would restart it.
    func start() throws -> DaemonProcess {
        if config.isEmpty { config = try blinkingConfig(in: directory, ring: 64) }
        return try DaemonProcess(arguments: ["--config", config, "--socket", socket], socket: socket)
    }

    func isInstance(_ text: String?) -> Bool {
        guard let text, text.count == 32 else { return false }
        return text.allSatisfy { "0123456789abcdef".contains($0) }
    }

    /// The first `count` lines of /v1/events`query`, as JSON objects.
    func lines(_ daemon: DaemonProcess, _ query: String, count: Int) throws -> [JSONObject] {
        var result: [JSONObject] = []
        let client = try UnixSocketClient(path: daemon.socket, timeoutMilliseconds: 20_000)
        let head = try client.streamLines("/v1/events" + query) { bytes in
            guard let o = try? JSONParser(parseDouble: parseDouble).parse(bytes).objectValue else {
                XCTFail("not JSON: " + String(decoding: bytes, as: UTF8.self))
                return false
            }
            result.append(o)
            return result.count < count
        }
        XCTAssertEqual(head.status.code, 200, "\(result)")
        return result
    }

    func testARestartAnswersTheOldInstanceWithAResetAndTheNewDaemonsEvents() throws {
        let first = try start()
        let old = try first.json("/v1/status")["instance"]?.stringValue
        XCTAssertTrue(isInstance(old), String(describing: old))
        let before = try lines(first, "?since=0", count: 4)
        XCTAssertEqual(before.map { $0["seq"]?.int64Value }, [1, 2, 3, 4])
        XCTAssertEqual(Set(before.map { $0["instance"]?.stringValue }), [old], "every event line names its instance")
        // The same instance: no reset, the events after `since`.
        let again = try lines(first, "?since=2&instance=" + old!, count: 2)
        XCTAssertEqual(again.map { $0["seq"]?.int64Value }, [3, 4])
        XCTAssertEqual(first.stop(), 0)

        let second = try start()
        let new = try second.json("/v1/status")["instance"]?.stringValue
        XCTAssertTrue(isInstance(new), String(describing: new))
        XCTAssertNotEqual(new, old)
        // The client's since=4 is from the old daemon: a reset, then the new one's ring from
        // its first event (the 64-event ring has not wrapped yet).
        XCTAssertTrue(try eventually(30) { try second.statusNumber("last_event_seq") >= 3 })
        let after = try lines(second, "?since=4&instance=" + old!, count: 5)
        let reset = after.first?["reset"]?.objectValue
        XCTAssertNotNil(reset, "no reset line first: \(after)")
        XCTAssertEqual(reset?["instance"]?.stringValue, new)
        XCTAssertEqual(reset?["first_seq"]?.int64Value, 1)
        XCTAssertEqual(after.dropFirst().map { $0["seq"]?.int64Value }, [1, 2, 3, 4])
        XCTAssertEqual(Set(after.dropFirst().map { $0["instance"]?.stringValue }), [new])
        XCTAssertEqual(after.filter { $0["reset"] != nil || $0["gap"] != nil }.count, 1, "one reset line only")
        XCTAssertEqual(second.stop(), 0)
    }

    func testABadInstanceOrSeqIsRefusedAndASeqAheadOfItsOwnDaemonIsAConflict() throws {
        let daemon = try start()
        let instance = try XCTUnwrap(try daemon.json("/v1/status")["instance"]?.stringValue)
        for (query, status, words) in [("?since=1&instance=xyz", 400, "32 hex digits"),
                                       ("?since=1&instance=" + instance.uppercased(), 400, "32 hex digits"),
                                       ("?since=9223372036854775808", 400, "0 to 2^63-1"),
                                       ("?since=999999&instance=" + instance, 409, "beyond this daemon's newest event")] {
            let r = try daemon.get("/v1/events" + query)
            XCTAssertEqual(r.status, status, query)
            let message = try JSONParser(parseDouble: parseDouble).parse(r.body).objectValue?["error"]?.objectValue?["message"]?.stringValue
            XCTAssertTrue(message?.contains(words) == true, query + ": " + String(describing: message))
        }
        XCTAssertEqual(try daemon.json("/v1/status")["instance"]?.stringValue, instance, "still running, same instance")
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testTheInstanceSurvivesAReload() throws {
        let daemon = try start()
        let instance = try daemon.json("/v1/status")["instance"]?.stringValue
        daemon.signal(SIGHUP)
        XCTAssertTrue(try eventually(30) { try daemon.statusNumber("reloads") == 1 })
        XCTAssertEqual(try daemon.json("/v1/status")["instance"]?.stringValue, instance)
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// `perch watch --follow --json` across a stop and a start of perchd on the same socket:
    /// the first daemon's events without a gap or a repeat, then the reset line, then the
    /// second daemon's events from the reset's first_seq on, again without gap or repeat.
    func testWatchFollowCarriesOnAcrossARestart() throws {
        var first: DaemonProcess? = try start()
        let out = directory + "/watch.out", err = directory + "/watch.err"
        let watch = try spawn(productPath("perch"), ["watch", "--follow", "--json", "--socket", socket], stdout: out, stderr: err)
        defer { kill(watch, SIGKILL); _ = waitForExit(watch, timeoutSeconds: 5) }
        func read() -> [JSONObject] {
            let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { try? JSONParser(parseDouble: parseDouble).parse(Array($0.utf8)).objectValue }
        }
        XCTAssertTrue(eventually(30) { read().count >= 4 }, "watch printed: \(read())")
        XCTAssertEqual(first?.stop(), 0)
        first = nil
        usleep(500_000)  // watch finds no daemon for a while and keeps retrying
        let second = try start()
        XCTAssertTrue(eventually(30) { read().contains { $0["reset"] != nil } && read().count >= 10 }, "watch printed: \(read())")
        kill(watch, SIGTERM)
        _ = waitForExit(watch, timeoutSeconds: 5)
        let printed = read()
        let split = try XCTUnwrap(printed.firstIndex { $0["reset"] != nil })
        let old = printed[..<split], new = printed[(split + 1)...]
        XCTAssertEqual(printed.filter { $0["reset"] != nil || $0["gap"] != nil }.count, 1, "\(printed)")
        let oldSeqs = old.compactMap { $0["seq"]?.int64Value }
        XCTAssertEqual(oldSeqs.count, old.count)
        XCTAssertEqual(oldSeqs, Array(oldSeqs[0]..<(oldSeqs[0] + Int64(oldSeqs.count))), "first daemon: no gap, no repeat")
        XCTAssertEqual(Set(old.map { $0["instance"]?.stringValue }).count, 1)
        let reset = try XCTUnwrap(printed[split]["reset"]?.objectValue)
        let newSeqs = new.compactMap { $0["seq"]?.int64Value }
        XCTAssertFalse(newSeqs.isEmpty)
        XCTAssertEqual(newSeqs.first, reset["first_seq"]?.int64Value)
        XCTAssertEqual(newSeqs, Array(newSeqs[0]..<(newSeqs[0] + Int64(newSeqs.count))), "second daemon: no gap, no repeat")
        XCTAssertEqual(Set(new.map { $0["instance"]?.stringValue }), [reset["instance"]?.stringValue])
        XCTAssertNotEqual(old.first?["instance"]?.stringValue, reset["instance"]?.stringValue)
        XCTAssertTrue(((try? String(contentsOfFile: err, encoding: .utf8)) ?? "").contains("reconnecting"))
        XCTAssertEqual(second.stop(), 0)
    }
}
