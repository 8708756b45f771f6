import XCTest
import Foundation
import PerchMedia

/// Locates /work/shared (`../shared` from the package root). Missing data fails under CI and
/// skips otherwise.
enum SharedData {
    static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared")
    }

    static func file(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        let reason = "shared data missing: " + url.path
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail(reason)
            throw XCTSkip(reason)
        }
        throw XCTSkip(reason)
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try file(relative)))
    }

    static func wav(_ relative: String) throws -> WAVAudio {
        try WAVFile.read(try bytes(relative), path: relative)
    }

    static func image(_ relative: String) throws -> Image {
        try ImageFile.read(try bytes(relative), path: relative)
    }
}
