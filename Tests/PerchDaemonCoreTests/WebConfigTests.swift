import XCTest
@testable import PerchDaemonCore

final class WebConfigTests: XCTestCase {
    func testOffByDefault() throws {
        let configuration = try XCTUnwrap(validConfiguration(minimalConfiguration))
        XCTAssertNil(configuration.web.listen)
        XCTAssertEqual(configuration.web.streamFramesPerSecond, 5)
        XCTAssertTrue(configuration.summary.contains("web: Unix socket only"), configuration.summary)
    }

    func testListenAndTokenFile() throws {
        let configuration = try XCTUnwrap(validConfiguration(minimalConfiguration
            + "\n[web]\nlisten = 0.0.0.0:8080\ntoken-file = /etc/perch/web-token\nstream-fps = 2\njpeg-quality = 70\n"))
        XCTAssertEqual(configuration.web.listen, WebAddress(host: "0.0.0.0", port: 8080))
        XCTAssertEqual(configuration.web.tokenFile, "/etc/perch/web-token")
        XCTAssertEqual(configuration.web.streamFramesPerSecond, 2)
        XCTAssertEqual(configuration.web.jpegQuality, 70)
    }

    func testSetCreatesTheSection() throws {
        let configuration = try XCTUnwrap(validConfiguration(minimalConfiguration, overrides: [.setting("web.listen=[::1]:9000")]))
        XCTAssertEqual(configuration.web.listen?.host, "::1")
        XCTAssertEqual(configuration.web.listen?.description, "[::1]:9000")
    }

    func testAddresses() {
        XCTAssertEqual(WebAddress(parsing: "127.0.0.1:0"), WebAddress(host: "127.0.0.1", port: 0))
        for bad in ["localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "1.2.3:80", "256.0.0.1:80",
                    "[::1]80", "::1:80", "[]:80", "[zz::1]:80", "127.0.0.1:8o"] {
            XCTAssertNil(WebAddress(parsing: bad), bad)
        }
    }

    func testBadValuesNameTheKey() {
        let errors = configErrors(minimalConfiguration + "\n[web]\nlisten = localhost:8080\nstream-fps = 99\ntoken-file = web-token\n")
        XCTAssertEqual(errors.count, 3, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("listen") && $0.contains("numeric ADDRESS:PORT") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("stream-fps") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("token-file") && $0.contains("absolute path") }, "\(errors)")
    }
}
