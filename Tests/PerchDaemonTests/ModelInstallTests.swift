import Foundation
import Glibc
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

/// `perch model install` against a real perchd whose model lives in a directory of its own
/// (model.tflite + metadata.json; the [model] section names only file and inputs).
final class ModelInstallTests: XCTestCase {
    var directory = ""
    var modelDirectory: String { directory + "/av" }
    let shipped = repositoryRoot.appendingPathComponent("models/perch-av")

    override func setUpWithError() throws {
        signal(SIGPIPE, SIG_IGN)
        directory = makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: modelDirectory, withIntermediateDirectories: true)
        for name in ["model.tflite", "metadata.json"] {
            try FileManager.default.copyItem(atPath: shipped.appendingPathComponent(name).path, toPath: modelDirectory + "/" + name)
        }
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// The blinking camera (events several times a second), the model from its directory.
    func startDaemon() throws -> DaemonProcess {
        let config = try blinkingConfig(in: directory, ring: 256)
        var lines = try String(contentsOfFile: config, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        lines.removeAll { line in ["labels-file", "scores-output", "attribution", "normalize"].contains { line.hasPrefix($0) } }
        let text = lines.joined(separator: "\n")
            .replacingOccurrences(of: shipped.path + "/model.tflite", with: modelDirectory + "/model.tflite")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        return try DaemonProcess(arguments: ["--config", config])
    }

    func install(_ daemon: DaemonProcess, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try runCommand(productPath("perch"), ["model", "install"] + arguments + ["--socket", daemon.socket])
    }

    /// The shipped metadata with one label renamed.
    func metadata(renaming old: String, to new: String) throws -> String {
        let path = directory + "/metadata-" + new + ".json"
        let text = try String(contentsOf: shipped.appendingPathComponent("metadata.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"" + old + "\"", with: "\"" + new + "\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func labels(_ daemon: DaemonProcess) throws -> [String] {
        (try daemon.json("/v1/models")["models"]?.arrayValue?.first?.objectValue?["labels"]?.arrayValue ?? [])
            .compactMap { $0.stringValue }
    }

    /// Reads `count` event lines after `since`: seqs, and whether a gap or reset line came.
    func events(_ daemon: DaemonProcess, since: Int64, count: Int) throws -> (seqs: [Int64], other: [String]) {
        var seqs: [Int64] = [], other: [String] = []
        let client = try UnixSocketClient(path: daemon.socket, timeoutMilliseconds: 20_000)
        _ = try client.streamLines("/v1/events?since=" + String(since)) { bytes in
            let o = try? JSONParser(parseDouble: parseDouble).parse(bytes).objectValue
            if let seq = o?["seq"]?.int64Value { seqs.append(seq) } else { other.append(String(decoding: bytes, as: UTF8.self)) }
            return seqs.count + other.count < count
        }
        return (seqs, other)
    }

    func testInstallReplacesTheModelAndReloadsWithoutAnEventGap() throws {
        let daemon = try startDaemon()
        let instance = try daemon.json("/v1/status")["instance"]?.stringValue
        let before = try events(daemon, since: 0, count: 3).seqs
        XCTAssertEqual(before, [1, 2, 3])
        // The same network with a renamed label (no rule uses speech): what a retrained model with new labels looks like.
        let result = try install(daemon, [shipped.appendingPathComponent("model.tflite").path,
                                          "--metadata", try metadata(renaming: "speech", to: "talking")])
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("installed") && result.out.contains("model av reloaded"), result.out)
        XCTAssertEqual(try labels(daemon).first, "talking")
        XCTAssertEqual(try daemon.statusNumber("reloads"), 1)
        XCTAssertTrue(try String(contentsOfFile: modelDirectory + "/metadata.json", encoding: .utf8).contains("\"talking\""))
        XCTAssertFalse(FileManager.default.fileExists(atPath: modelDirectory + "/model.tflite.install"))
        // Events go on across the reload: every seq after 3 once, in order, no gap or reset line, same instance.
        let after = try events(daemon, since: 3, count: 40)
        XCTAssertEqual(after.other, [])
        XCTAssertEqual(after.seqs, Array(4...43))
        XCTAssertEqual(try daemon.json("/v1/status")["instance"]?.stringValue, instance)
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testABadModelIsRefusedWithTheReasonAndNothingChanges() throws {
        let daemon = try startDaemon()
        let original = try Data(contentsOf: URL(fileURLWithPath: modelDirectory + "/model.tflite"))
        let garbage = directory + "/garbage.tflite"
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }).write(to: URL(fileURLWithPath: garbage))
        var result = try install(daemon, [garbage])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains(garbage + ": cannot load: "), result.err)
        // A real model of another shape: one input, one output.
        let other = repositoryRoot.appendingPathComponent("Tests/PerchRuntimeTests/OpModels/fc_pt/model.tflite").path
        result = try install(daemon, [other])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains(other + " has 1 inputs; model av has 2"), result.err)
        XCTAssertTrue(result.err.contains("refused; model av keeps running " + modelDirectory + "/model.tflite"), result.err)
        // Metadata whose labels do not fit the scores output.
        let short = directory + "/short.json"
        try (try String(contentsOf: shipped.appendingPathComponent("metadata.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"break_in\"\n ],", with: "\"break_in\", \"extra\"\n ],"))
            .write(toFile: short, atomically: true, encoding: .utf8)
        result = try install(daemon, [shipped.appendingPathComponent("model.tflite").path, "--metadata", short])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains(short + ": labels: 12 labels for outputs[1] of shape [1, 11]"), result.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: modelDirectory + "/model.tflite")), original)
        XCTAssertEqual(try daemon.statusNumber("reloads"), 0)
        XCTAssertEqual(try daemon.statusNumber("reload_failures"), 0)
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// Labels that fit the model but not the configuration (a rule follows `person`): perchd's
    /// reload refuses it, the files are put back, the old model keeps running.
    func testAModelTheReloadRefusesIsRolledBack() throws {
        let daemon = try startDaemon()
        let model = try Data(contentsOf: URL(fileURLWithPath: modelDirectory + "/model.tflite"))
        let metadataBefore = try Data(contentsOf: URL(fileURLWithPath: modelDirectory + "/metadata.json"))
        let result = try install(daemon, [shipped.appendingPathComponent("model.tflite").path,
                                          "--metadata", try metadata(renaming: "person", to: "human")])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.err.contains("perchd refused the new model: "), result.err)
        XCTAssertTrue(result.err.contains("no label \"person\""), result.err)
        XCTAssertTrue(result.err.contains("the previous model is back in " + modelDirectory + "/model.tflite"), result.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: modelDirectory + "/model.tflite")), model)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: modelDirectory + "/metadata.json")), metadataBefore)
        XCTAssertEqual(try labels(daemon)[5], "person")
        XCTAssertEqual(try daemon.statusNumber("reload_failures"), 1)
        XCTAssertTrue(try daemon.inferencesKeepCounting())
        XCTAssertEqual(daemon.stop(), 0)
    }
}
