import XCTest
import Foundation

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The folder with the built executables: the test bundle lives beside them.
func productsDirectory() -> URL {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = executable.deletingLastPathComponent()
    // SwiftPM on Linux runs `<products>/PerchPackageTests.xctest` directly.
    if dir.pathExtension == "xctest" { dir = dir.deletingLastPathComponent() }
    return dir
}

/// Runs a built product with `arguments`, collecting its output.
func runProduct(_ name: String, _ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
    let url = productsDirectory().appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
        // swift test builds every product; a missing one is a build problem, not a skip.
        throw NSError(domain: "Perch", code: 1,
                      userInfo: [NSLocalizedDescriptionKey: "\(name) is not built at \(url.path)"])
    }
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}
