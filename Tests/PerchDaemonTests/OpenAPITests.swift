import Foundation
import Glibc
import PerchDaemon
import XCTest

/// docs/openapi.yaml and the real server agree: every documented path/method is served, and
/// every method the server serves on a path is documented.
final class OpenAPITests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    func documented() throws -> Set<String> {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var result = Set<String>()
        var path: String? = nil
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /") && line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()); continue }
            if !line.hasPrefix("  ") && !line.isEmpty { path = nil }
            for method in ["get", "post", "put", "delete", "patch"] where line == "    " + method + ":" {
                if let path { result.insert(method.uppercased() + " " + path) }
            }
        }
        return result
    }

    /// The property names of a schema in components (8-space indented keys under it).
    func schemaProperties(_ schema: String) throws -> Set<String> {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var result = Set<String>()
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("    ") && !line.hasPrefix("     ") { inside = line == "    " + schema + ":" ; continue }
            guard inside, line.hasPrefix("        "), !line.hasPrefix("         "), let colon = line.firstIndex(of: ":") else { continue }
            result.insert(line[line.startIndex..<colon].trimmingCharacters(in: .whitespaces))
        }
        return result
    }

    /// Every field of GET /v1/status is in the Status schema (other tools read these names).
    func testEveryStatusFieldIsDocumented() throws {
        let documented = try schemaProperties("Status")
        XCTAssertTrue(documented.contains("faults"), "\(documented)")
        let daemon = try DaemonProcess.demo()
        let fields = Set(try daemon.json("/v1/status").keys)
        XCTAssertEqual(fields.subtracting(documented), [], "served but not documented")
        XCTAssertEqual(documented.subtracting(fields), [], "documented but not served")
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testEveryDocumentedOperationIsServedAndViceVersa() throws {
        let spec = try documented()
        XCTAssertEqual(spec, Set(Endpoint.allCases.map { $0.method + " " + $0.path }))
        let daemon = try DaemonProcess.demo()
        let paths = Set(spec.map { String($0.split(separator: " ")[1]) })
        for path in paths {
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                // A 400, not a stream that never ends.
                let target = path == "/v1/events" ? path + "?since=abc" : path == "/v1/stream" ? path + "?fps=abc" : path
                let status = try daemon.request(method, target, headers: [("Content-Type", "text/plain")]).status
                let served = status != 404 && status != 405
                XCTAssertEqual(served, spec.contains(method + " " + path), method + " " + path + " -> " + String(status))
            }
        }
        XCTAssertEqual(daemon.stop(), 0)
    }
}
