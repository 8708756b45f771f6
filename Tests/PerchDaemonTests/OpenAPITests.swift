import Foundation
import Glibc
import PerchDaemon
import XCTest
import Yams

/// docs/openapi.yaml, read with a real YAML parser, and the real server agree: every
/// documented path/method is served, every method the server serves on a path is documented,
/// and the fields the daemon sends are the documented ones. (The document's validity as
/// OpenAPI is checked by a standard validator in tools/test.sh.)
final class OpenAPITests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    /// The whole document; a YAML error fails the test with Yams's line and column.
    func specification() throws -> [String: Any] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else {
            throw NSError(domain: "openapi", code: 1, userInfo: [NSLocalizedDescriptionKey: "docs/openapi.yaml is not a mapping"])
        }
        return document
    }

    func documented() throws -> Set<String> {
        let paths = try XCTUnwrap(try specification()["paths"] as? [String: Any], "no paths")
        var result = Set<String>()
        for (path, item) in paths {
            let operations = try XCTUnwrap(item as? [String: Any], path)
            for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] where operations[method] != nil {
                result.insert(method.uppercased() + " " + path)
            }
        }
        return result
    }

    /// The property names of a schema in components.
    func schemaProperties(_ schema: String) throws -> Set<String> {
        let spec = try specification()
        let schemas = try XCTUnwrap((spec["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let properties = try XCTUnwrap((schemas[schema] as? [String: Any])?["properties"] as? [String: Any], schema)
        return Set(properties.keys)
    }

    /// Every `$ref` names a component that exists (the validator checks this too; here a
    /// broken one names itself).
    func testEveryReferenceResolves() throws {
        let spec = try specification()
        XCTAssertEqual((spec["openapi"] as? String)?.hasPrefix("3."), true)
        var references: [String] = []
        func walk(_ node: Any) {
            if let map = node as? [String: Any] {
                if let ref = map["$ref"] as? String { references.append(ref) }
                map.values.forEach(walk)
            } else if let list = node as? [Any] {
                list.forEach(walk)
            }
        }
        walk(spec)
        XCTAssertFalse(references.isEmpty)
        for ref in references {
            let parts = ref.split(separator: "/").map(String.init)
            XCTAssertEqual(parts.first, "#", ref)
            var node: Any? = spec
            for part in parts.dropFirst() { node = (node as? [String: Any])?[part] }
            XCTAssertNotNil(node, "unresolved " + ref)
        }
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
