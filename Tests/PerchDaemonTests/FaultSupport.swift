import Foundation
import Glibc
import PerchJSON
import XCTest

/// Fault tests need root (tmpfs mounts, other users' credentials). Without it they skip with
/// the reason printed; with root on CI a step that fails is a failure, not a skip.
func requireRoot(_ what: String) throws {
    if geteuid() != 0 {
        let reason = what + " needs root (mount, setpriv); running as uid " + String(geteuid())
        print("skipped: " + reason)
        throw XCTSkip(reason)
    }
}

var runningOnCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// Runs a command to completion: exit status, stdout, stderr.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// A small tmpfs mounted for one test, unmounted (lazily, so a daemon still inside cannot
/// keep it) when released.
final class TmpfsMount {
    let path: String

    /// `options` e.g. "size=8k,nr_inodes=16". Skips (or fails on CI) when mount is refused.
    init(options: String) throws {
        try requireRoot("mounting a tmpfs")
        path = makeTemporaryDirectory()
        let result = try runCommand("/bin/mount", ["-t", "tmpfs", "-o", options + ",mode=0755", "perch-test", path])
        guard result.status == 0 else {
            let reason = "mount -t tmpfs refused: " + result.err
            if runningOnCI { XCTFail(reason) } else { print("skipped: " + reason) }
            throw XCTSkip(reason)
        }
    }

    /// Creates empty files until the file system has no inode left; their paths.
    func exhaustInodes() -> [String] {
        var made: [String] = []
        while made.count < 100_000 {
            let file = path + "/inode-" + String(made.count)
            let fd = open(file, O_CREAT | O_WRONLY | O_EXCL, 0o644)
            if fd < 0 { break }
            close(fd)
            made.append(file)
        }
        return made
    }

    /// Writes one file until the file system has no block left; its path.
    func exhaustBlocks() -> String {
        let file = path + "/filler"
        let fd = open(file, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        let page = [UInt8](repeating: 0x55, count: 4096)
        while fd >= 0 {
            if page.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) <= 0 { break }
        }
        if fd >= 0 { close(fd) }
        return file
    }

    deinit {
        _ = try? runCommand("/bin/umount", ["-l", path])
        rmdir(path)
    }
}

extension DaemonProcess {
    /// A number in /v1/status, e.g. number("counters", "inferences").
    func statusNumber(_ path: String...) throws -> Int64 {
        var value: JSONValue? = .object(try json("/v1/status"))
        for key in path { value = value?.objectValue?[key] }
        return value?.int64Value ?? -1
    }

    /// GET /v1/status.faults as (component, message) pairs.
    func faults() throws -> [(component: String, message: String)] {
        (try json("/v1/status")["faults"]?.arrayValue ?? []).compactMap { f in
            guard let o = f.objectValue, let c = o["component"]?.stringValue, let m = o["message"]?.stringValue else { return nil }
            return (c, m)
        }
    }

    /// Waits until the inference counter has grown past its current value.
    func inferencesKeepCounting(seconds: Double = 15) throws -> Bool {
        let before = try statusNumber("counters", "inferences")
        return try eventually(seconds) { try statusNumber("counters", "inferences") > before }
    }
}
