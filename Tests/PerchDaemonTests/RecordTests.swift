import Foundation
import Glibc
import PerchJSON
import XCTest

/// `[record]` with the real perchd --demo: on-demand and event recordings in the training
/// tool's layout, the disk budget, and a directory that cannot be written.
final class RecordTests: XCTestCase {
    func recordStatus(_ daemon: DaemonProcess) throws -> JSONObject {
        try XCTUnwrap(daemon.json("/v1/status")["record"]?.objectValue, "status has no record object")
    }

    func integer(_ object: JSONObject, _ key: String) -> Int64 {
        if case .integer(let v)? = object[key] { return v }
        return -1
    }

    func csvLines(_ directory: String) -> [String] {
        let text = (try? String(contentsOfFile: directory + "/train/labels.csv", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    func testOnDemandRecordingWritesTheTrainingLayout() throws {
        let dataset = makeTemporaryDirectory() + "/data"
        defer { try? FileManager.default.removeItem(atPath: dataset) }
        let daemon = try DaemonProcess.demo(["--set", "record.directory=" + dataset])
        let r = try daemon.request("POST", "/v1/record?label=person&seconds=2")
        XCTAssertEqual(r.status, 202, String(decoding: r.body, as: UTF8.self))
        XCTAssertTrue(try eventually(15) { integer(try recordStatus(daemon), "saved") == 2 }, daemon.logText)
        // Unlabelled: an empty labels field, for a teacher to fill in.
        XCTAssertEqual(try daemon.request("POST", "/v1/record").status, 202)
        XCTAssertTrue(try eventually(10) { integer(try recordStatus(daemon), "saved") == 3 }, daemon.logText)

        XCTAssertEqual(csvLines(dataset), ["name,labels", "rec-000001,person", "rec-000002,person", "rec-000003,"])
        let labels = try String(contentsOfFile: dataset + "/labels.txt", encoding: .utf8)
        XCTAssertEqual(labels.split(separator: "\n").count, 11)
        XCTAssertTrue(labels.hasPrefix("speech\n"))
        let wav = try Data(contentsOf: URL(fileURLWithPath: dataset + "/train/rec-000001.wav"))
        XCTAssertEqual(wav.count, 44 + 32_000, "1 s of 16 kHz mono 16-bit PCM")
        XCTAssertEqual(Array(wav[0..<4]), Array("RIFF".utf8))
        XCTAssertEqual(wav[22], 1, "mono")
        XCTAssertEqual(wav[24...27].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }, 16_000)
        XCTAssertTrue(wav[44...].contains { $0 != 0 }, "the demo audio, not silence")
        let ppm = try Data(contentsOf: URL(fileURLWithPath: dataset + "/train/rec-000001.ppm"))
        XCTAssertTrue(ppm.starts(with: Array("P6\n160 120\n255\n".utf8)))
        XCTAssertEqual(ppm.count, 15 + 160 * 120 * 3)

        let status = try recordStatus(daemon)
        XCTAssertEqual(integer(status, "recordings"), 3)
        XCTAssertEqual(integer(status, "failed"), 0)
        XCTAssertEqual(integer(status, "bytes"), Int64(3 * (44 + 32_000 + 15 + 57_600)))

        // Bad requests are refused with the reason.
        let unknown = try daemon.request("POST", "/v1/record?label=cat")
        XCTAssertEqual(unknown.status, 400)
        XCTAssertTrue(String(decoding: unknown.body, as: UTF8.self).contains("unknown label 'cat'"))
        XCTAssertEqual(try daemon.request("POST", "/v1/record?seconds=0").status, 400)
        XCTAssertEqual(try daemon.request("POST", "/v1/record?seconds=31").status, 400)

        // perch record waits for the windows and says where they went; a restarted daemon continues the numbering.
        XCTAssertEqual(daemon.stop(), 0)
        let again = try DaemonProcess.demo(["--set", "record.directory=" + dataset])
        let cli = try runCommand(productPath("perch"), ["record", "--label", "speech", "--seconds", "1", "--socket", again.socket])
        XCTAssertEqual(cli.status, 0, cli.err)
        XCTAssertTrue(cli.out.contains("recorded 1 of 1 windows into " + dataset + "/train (rec-000004)"), cli.out)
        XCTAssertEqual(csvLines(dataset).last, "rec-000004,speech")
    }

    func testWithoutRecordSectionTheEndpointSaysHowToEnableIt() throws {
        let daemon = try DaemonProcess.demo()
        let r = try daemon.request("POST", "/v1/record?label=person")
        XCTAssertEqual(r.status, 409)
        XCTAssertTrue(String(decoding: r.body, as: UTF8.self).contains("[record]"))
        XCTAssertEqual(try daemon.json("/v1/status")["record"], .null)
    }

    /// `events = av.light_on`: the demo's light is on from its first seconds; its start event
    /// records pre + post windows labelled light_on.
    func testRuleStartEventsAreRecordedAroundTheEvent() throws {
        let dataset = makeTemporaryDirectory() + "/data"
        defer { try? FileManager.default.removeItem(atPath: dataset) }
        let daemon = try DaemonProcess.demo(["--set", "record.directory=" + dataset, "--set", "record.events=av.light_on",
                                             "--set", "record.pre-seconds=1", "--set", "record.post-seconds=2"])
        XCTAssertTrue(try eventually(20) { integer(try recordStatus(daemon), "saved") >= 3 }, daemon.logText)
        let lines = csvLines(dataset)
        XCTAssertEqual(Array(lines.prefix(4)), ["name,labels", "rec-000001,light_on", "rec-000002,light_on", "rec-000003,light_on"])
    }

    /// budget-mb = 1 holds 11 windows of 89,659 bytes: recording 14 keeps the newest 11,
    /// labels.csv names exactly the files left.
    func testBudgetDeletesTheOldestFirst() throws {
        let dataset = makeTemporaryDirectory() + "/data"
        defer { try? FileManager.default.removeItem(atPath: dataset) }
        let daemon = try DaemonProcess.demo(["--set", "record.directory=" + dataset, "--set", "record.budget-mb=1"])
        XCTAssertEqual(try daemon.request("POST", "/v1/record?label=knock&seconds=14").status, 202)
        XCTAssertTrue(try eventually(30) { integer(try recordStatus(daemon), "saved") == 14 }, daemon.logText)
        let status = try recordStatus(daemon)
        XCTAssertEqual(integer(status, "recordings"), 11)
        XCTAssertLessThanOrEqual(integer(status, "bytes"), 1_048_576)
        let names = csvLines(dataset).dropFirst().map { String($0.split(separator: ",")[0]) }
        XCTAssertEqual(names, (4...14).map { String(format: "rec-%06d", $0) })
        let files = try FileManager.default.contentsOfDirectory(atPath: dataset + "/train").filter { $0.hasPrefix("rec-") }.sorted()
        XCTAssertEqual(files, names.flatMap { [$0 + ".ppm", $0 + ".wav"] }.sorted())
    }

    /// A directory that cannot be made (its parent is a file), then a full disk: each is an
    /// error in the log, in status `record.last_error` and in `faults`, and inference goes on.
    func testUnwritableDirectoryAndFullDiskAreReportedAndInferenceContinues() throws {
        let base = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: base) }
        FileManager.default.createFile(atPath: base + "/file", contents: Data())
        let daemon = try DaemonProcess.demo(["--set", "record.directory=" + base + "/file/data"])
        XCTAssertEqual(try daemon.request("POST", "/v1/record?label=person").status, 202)
        XCTAssertTrue(try eventually(10) { integer(try recordStatus(daemon), "failed") == 1 }, daemon.logText)
        let status = try daemon.json("/v1/status")
        let error = try XCTUnwrap(status["record"]?.objectValue?["last_error"]?.stringValue)
        XCTAssertTrue(error.contains("cannot use " + base + "/file/data: Not a directory"), error)
        let faults = status["faults"]?.arrayValue ?? []
        XCTAssertTrue(faults.contains { $0.objectValue?["component"]?.stringValue == "record" }, String(describing: faults))
        XCTAssertTrue(daemon.logText.contains("record: request 1: cannot use"), daemon.logText)
        try assertInferenceContinues(daemon)

        // A 64 KiB tmpfs: labels.txt fits, no window of 89 KB does... and with budget-mb it is ENOSPC, not the budget.
        let mount = try TmpfsMount(options: "size=64k")
        let full = try DaemonProcess.demo(["--set", "record.directory=" + mount.path + "/data"])
        XCTAssertEqual(try full.request("POST", "/v1/record?label=person&seconds=2").status, 202)
        XCTAssertTrue(try eventually(15) { integer(try recordStatus(full), "failed") == 2 }, full.logText)
        let fullError = try XCTUnwrap(try recordStatus(full)["last_error"]?.stringValue)
        XCTAssertTrue(fullError.contains("No space left on device"), fullError)
        XCTAssertEqual(csvLines(mount.path + "/data").count, 0, "nothing half-written is indexed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: mount.path + "/data/train")
        XCTAssertEqual(leftovers, [], "a failed pair is removed")
        try assertInferenceContinues(full)
        _ = full.stop()
    }

    func assertInferenceContinues(_ daemon: DaemonProcess) throws {
        func inferences() throws -> Int64 {
            let counters = try daemon.json("/v1/status")["counters"]?.objectValue
            if case .integer(let v)? = counters?["inferences"] { return v }
            return -1
        }
        let before = try inferences()
        XCTAssertTrue(try eventually(5) { try inferences() > before + 2 }, "inference stopped")
    }
}
