import Foundation
import Glibc
import PerchJSON
import XCTest

/// Faults injected into the real perchd: each must give a clear log line, leave the rest
/// running (inference keeps counting, the API answers) and show in /v1/status.
final class DaemonFaultTests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    func testMissingGpioChipRunsDegradedAndNamesChipAndLine() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let chip = "gpiochip250"  // no machine that runs these tests has 250 GPIO chips
        let config = try writeTestConfig(in: directory, extra: """
            [action lamp]
            rule = av.light_on
            chip = \(chip)
            line = 17
            [gpio-input button]
            chip = \(chip)
            line = 3
            mode = event
            """)
        let daemon = try DaemonProcess(arguments: ["--config", config])
        XCTAssertTrue(daemon.logText.contains("action lamp (" + chip + " line 17): gpio chip " + chip + ": not found"),
                      daemon.logText)
        XCTAssertTrue(daemon.logText.contains("gpio-input button (" + chip + " line 3): gpio chip " + chip + ": not found"),
                      daemon.logText)
        let lines = try daemon.json("/v1/status")["gpio"]?.arrayValue?.compactMap { $0.objectValue } ?? []
        XCTAssertEqual(lines.map { $0["name"]?.stringValue ?? "" }, ["lamp", "button"])
        // A missing chip is retried (1 s doubling to 30 s): both lines wait, the chip's
        // retries count up (the VM test creates the chip later and sees the action work).
        XCTAssertEqual(lines.map { $0["state"]?.stringValue ?? "" }, ["waiting", "waiting"])
        func chipRetries() throws -> Int64 {
            try daemon.json("/v1/status")["sources"]?.arrayValue?.compactMap { $0.objectValue }
                .first { $0["name"]?.stringValue == chip }?["retries"]?.int64Value ?? 0
        }
        let reached = try eventually(10) { try chipRetries() >= 2 }
        XCTAssertTrue(reached, "retries \((try? chipRetries()) ?? -1)")
        XCTAssertTrue(daemon.logText.contains("this action is retried"), daemon.logText)
        XCTAssertEqual(lines.map { $0["line"]?.int64Value ?? -1 }, [17, 3])
        let faults = try daemon.faults()
        XCTAssertEqual(faults.filter { $0.component == "gpio" }.count, 2, "\(faults)")
        XCTAssertTrue(faults.contains { $0.message.hasPrefix("action lamp (" + chip + " line 17)") }, "\(faults)")
        // Inference and events go on: the test pattern raises light_on within seconds.
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertTrue(try eventually(15) { try daemon.statusNumber("last_event_seq") > 0 })
        // perch status prints the faults.
        let out = daemon.directory + "/perch.out", err = daemon.directory + "/perch.err"
        let status = try spawn(productPath("perch"), ["status", "--socket", daemon.socket], stdout: out, stderr: err)
        XCTAssertEqual(waitForExit(status, timeoutSeconds: 10), 0)
        let printed = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(printed.contains("faults"), printed)
        XCTAssertTrue(printed.contains("action lamp (" + chip + " line 17)"), printed)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testBadModelOnReloadKeepsTheOldPipelineUntilAGoodOneComes() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/model.tflite"
        let good = try Data(contentsOf: repositoryRoot.appendingPathComponent("models/perch-av/model.tflite"))
        try good.write(to: URL(fileURLWithPath: model))
        let config = try writeTestConfig(in: directory, model: model)
        let daemon = try DaemonProcess(arguments: ["--config", config])
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        var garbage = Data(count: 4096)
        for i in 0..<garbage.count { garbage[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        let cases: [(name: String, damage: () throws -> Void, expected: String)] = [
            ("garbage", { try garbage.write(to: URL(fileURLWithPath: model)) }, model + ": malformed model: file identifier is not TFL3"),
            ("truncated", { try good.prefix(good.count / 2).write(to: URL(fileURLWithPath: model)) }, model + ": malformed model"),
            ("missing", { try FileManager.default.removeItem(atPath: model) }, "cannot read " + model + ": No such file or directory"),
        ]
        for (n, c) in cases.enumerated() {
            try c.damage()
            daemon.signal(SIGHUP)
            XCTAssertTrue(try eventually(15) { try daemon.statusNumber("reload_failures") == Int64(n + 1) }, c.name)
            let status = try daemon.json("/v1/status")
            let reason = status["reload_error"]?.stringValue ?? ""
            XCTAssertTrue(reason.contains(c.expected), c.name + ": " + reason)
            XCTAssertTrue(daemon.logText.contains("reload: model av: " + c.expected), c.name + ": " + daemon.logText)
            XCTAssertTrue(try daemon.faults().contains { $0.component == "reload" && $0.message.contains(c.expected) }, c.name)
            XCTAssertEqual(status["reloads"]?.int64Value, 0)
            let metrics = String(decoding: try daemon.get("/v1/metrics").body, as: UTF8.self)
            XCTAssertTrue(metrics.contains("perch_reload_failures_total " + String(n + 1) + "\n"), metrics)
            XCTAssertTrue(try daemon.inferencesKeepCounting(), c.name + ": the old pipeline stopped")
        }
        XCTAssertTrue(daemon.logText.contains("truncated?"), daemon.logText)
        try good.write(to: URL(fileURLWithPath: model))
        daemon.signal(SIGHUP)
        XCTAssertTrue(try eventually(15) { try daemon.statusNumber("reloads") == 1 })
        XCTAssertTrue(try daemon.json("/v1/status")["reload_error"]?.isNull ?? false)
        XCTAssertFalse(try daemon.faults().contains { $0.component == "reload" })
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// stderr and stdout are /dev/full: every log line (and the demo's ready message) fails
    /// with ENOSPC. The daemon serves, counts what it lost, and reloads.
    func testLogOnDevFullIsCountedAndTheDaemonRuns() throws {
        let daemon = try DaemonProcess(arguments: ["--demo"], log: "/dev/full", out: "/dev/full")
        let log = try daemon.json("/v1/status")["log"]?.objectValue
        XCTAssertGreaterThanOrEqual(log?["lines_dropped"]?.int64Value ?? 0, 2)  // at least "starting" and "ready"
        XCTAssertEqual(log?["last_error"]?.stringValue, "No space left on device")
        XCTAssertTrue(try daemon.faults().contains { $0.component == "log" && $0.message.contains("No space left on device") })
        let before = try daemon.statusNumber("log", "lines_dropped")
        daemon.signal(SIGHUP)
        XCTAssertTrue(try eventually(15) { try daemon.statusNumber("reloads") == 1 })
        XCTAssertGreaterThan(try daemon.statusNumber("log", "lines_dropped"), before)
        let metrics = String(decoding: try daemon.get("/v1/metrics").body, as: UTF8.self)
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("perch_log_lines_dropped_total ") }
        XCTAssertGreaterThan(line.flatMap { Int64($0.split(separator: " ")[1]) } ?? 0, before, metrics)
        XCTAssertTrue(metrics.contains("perch_faults 1\n"), metrics)
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// stderr is a file on a full tmpfs: lines are lost while it is full; once space is back
    /// the next line is preceded by a note saying how many were lost and why.
    func testLogOnAFullDiskRecoversWithANoteOfTheLostLines() throws {
        let disk = try TmpfsMount(options: "size=16k")
        let filler = disk.exhaustBlocks()
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try writeTestConfig(in: directory)
        let daemon = try DaemonProcess(arguments: ["--config", config], log: disk.path + "/perchd.log")
        XCTAssertGreaterThan(try daemon.statusNumber("log", "lines_dropped"), 0)
        XCTAssertEqual(daemon.logText, "")
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        try FileManager.default.removeItem(atPath: filler)
        daemon.signal(SIGHUP)
        XCTAssertTrue(eventually(15) { daemon.logText.contains("reloaded") }, daemon.logText)
        XCTAssertTrue(daemon.logText.hasPrefix("<4>log: "), daemon.logText)
        XCTAssertTrue(daemon.logText.contains("earlier lines were lost (stderr: No space left on device)"), daemon.logText)
        XCTAssertEqual(daemon.stop(), 0)
        _ = disk
    }

    /// The socket's directory is on a tmpfs without a free inode: perchd cannot create the
    /// directory, then (one inode freed) the socket file. It runs without its API (inference
    /// goes on), retries every 2 s, and serves once space is back; status keeps the failures
    /// as history.
    func testSocketOnAFullDiskIsRetriedWhileInferenceRuns() throws {
        let disk = try TmpfsMount(options: "size=64k,nr_inodes=32")
        let fillers = disk.exhaustInodes()
        XCTAssertFalse(fillers.isEmpty)
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try writeTestConfig(in: directory)
        let socket = disk.path + "/run/perchd.sock"
        let daemon = try DaemonProcess(arguments: ["--config", config, "--socket", socket], socket: socket,
                                       waitForSocket: false, log: directory + "/perchd.log")
        XCTAssertTrue(eventually(15) { daemon.logText.contains("running without the socket API") }, daemon.logText)
        XCTAssertTrue(daemon.logText.contains("cannot create the socket directory " + disk.path + "/run: No space left on device"),
                      daemon.logText)
        // One inode back: the directory can be made, the socket file still cannot.
        unlink(fillers[0])
        XCTAssertTrue(eventually(15) { daemon.logText.contains("cannot create the socket " + socket + ": bind " + socket
                                                               + ": No space left on device") }, daemon.logText)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(daemon.pid, &status, WNOHANG), 0, "perchd exited: " + daemon.logText)
        for file in fillers.dropFirst() { unlink(file) }
        try daemon.waitUntilServing()
        XCTAssertTrue(daemon.logText.contains("the socket API is up on " + socket), daemon.logText)
        let json = try daemon.json("/v1/status")
        XCTAssertGreaterThanOrEqual(json["socket_bind_failures"]?.int64Value ?? 0, 2)
        XCTAssertTrue((json["socket_bind_error"]?.stringValue ?? "").contains("No space left on device"))
        // Inference ran while there was no socket.
        XCTAssertGreaterThan(json["counters"]?.objectValue?["inferences"]?.int64Value ?? 0, 0)
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertEqual(daemon.stop(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket file is removed at exit")
        _ = disk
    }
}
