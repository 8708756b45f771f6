import Foundation
import PerchHTTP
import PerchJSON
import PerchServer
import XCTest

/// docs/api-limits.md states every limit's default; these are the values in the code
/// (perchd uses the defaults: it builds its server with `ServerConfiguration()`).
final class DocumentedLimitsTests: XCTestCase {
    var documentText: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/api-limits.md")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// The default column of the table row whose first cell names `field` in backquotes.
    func documentedDefault(_ field: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("|") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count >= 2 && cells[0].contains("`" + field + "`") { return cells[1] }
        }
        return nil
    }

    /// "8 KiB" → 8192, "1 MiB" → 1048576, "10 s" → 10000 (milliseconds), "128" → 128.
    func value(_ text: String?) -> Int64? {
        guard let text else { return nil }
        let parts = text.split(separator: " ")
        guard let number = parts.first.flatMap({ Int64($0) }) else { return nil }
        switch parts.count > 1 ? String(parts[1]) : "" {
        case "": return number
        case "KiB": return number * 1024
        case "MiB": return number * 1024 * 1024
        case "s": return number * 1000
        default: return nil
        }
    }

    func testEveryDocumentedDefaultIsTheCodesDefault() throws {
        let text = try documentText
        let c = ServerConfiguration()
        let code: [(String, Int64)] = [
            ("requestLimits.maxHeadBytes", Int64(c.requestLimits.maxHeadBytes)),
            ("requestLimits.maxBodyBytes", Int64(c.requestLimits.maxBodyBytes)),
            ("readTimeoutMilliseconds", c.readTimeoutMilliseconds),
            ("idleTimeoutMilliseconds", c.idleTimeoutMilliseconds),
            ("writeTimeoutMilliseconds", c.writeTimeoutMilliseconds),
            ("shutdownGraceMilliseconds", c.shutdownGraceMilliseconds),
            ("streamBufferCap", Int64(c.streamBufferCap)),
            ("outputHighWater", Int64(c.outputHighWater)),
            ("maxConnections", Int64(c.maxConnections)),
        ]
        for (name, expected) in code {
            let documented = documentedDefault(name, in: text)
            XCTAssertEqual(value(documented), expected, name + " is documented as " + (documented ?? "nothing"))
        }
        // The JSON limits are stated in prose.
        let json = JSONLimits()
        let prose = text.replacingOccurrences(of: "\n", with: " ")
        XCTAssertTrue(prose.contains("nesting depth " + String(json.maxDepth)), "JSON depth")
        XCTAssertEqual(json.maxBytes, 1 << 20)
        XCTAssertTrue(prose.contains("text size 1 MiB"), "JSON size")
    }
}
