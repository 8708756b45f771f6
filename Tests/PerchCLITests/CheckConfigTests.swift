import XCTest
import Foundation

/// `perchd --check-config FILE`, run as a user would.
final class CheckConfigTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("perch-check-config-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(path).path
    }

    func testExampleConfigurationIsValid() throws {
        let path = repositoryFile("config/perchd.conf")
        let result = try runProduct("perchd", ["--check-config", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix(path + ": valid\ncamera: /dev/video0, 320x240 yuyv at 15 fps\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\nrule person.person: on 0.7, off 0.5, 3 hit(s), window 4, refractory 5000 ms\n"))
        XCTAssertEqual(result.stderr, "")
    }

    func testEveryErrorGoesToStderrWithStatus1() throws {
        let path = try write("bad.conf", """
            [camera]
            device = test-pattern
            fps = fast
            [model person]
            file = person.tflite
            input.0 = mic
            labels = background, person
            [rule person.person]
            on = high

            """)
        let result = try runProduct("perchd", ["--check-config", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, """
            \(path):3: [camera] fps: expected an integer from 1 to 240, got "fast"
            \(path):6: [model person] input.0: unknown source "mic"; sources are camera
            \(path):9: [rule person.person] on: expected a number between 0 and 1, got "high"
            perchd: \(path): 3 errors

            """)
    }

    func testOverridesFromFlagsAreValidatedToo() throws {
        let path = try write("ok.conf", "[camera]\ndevice = test-pattern\n")
        let fixed = try runProduct("perchd", ["--check-config", path, "--set", "camera.fps=5", "--socket", "/tmp/p.sock",
                                              "--log-level", "debug"])
        XCTAssertEqual(fixed.status, 0, fixed.stderr)
        XCTAssertTrue(fixed.stdout.contains("at 5 fps\n"), fixed.stdout)
        XCTAssertTrue(fixed.stdout.contains("socket: /tmp/p.sock mode 0660\n"), fixed.stdout)
        XCTAssertTrue(fixed.stdout.contains("log level: debug,"), fixed.stdout)

        let broken = try runProduct("perchd", ["--check-config", path, "--set", "camera.fps=0", "--set=socket.group"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.stderr, """
            --set socket.group: expected SECTION.KEY=VALUE
            --set camera.fps=0: [camera] fps: expected an integer from 1 to 240, got "0"
            perchd: \(path): 2 errors

            """)
    }

    func testMissingFile() throws {
        let path = directory.appendingPathComponent("absent.conf").path
        let result = try runProduct("perchd", ["--check-config", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, path + ": cannot read: No such file or directory\nperchd: " + path + ": 1 error\n")
    }

    func testCheckConfigNeedsAFileAndHelpListsIt() throws {
        let missing = try runProduct("perchd", ["--check-config"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("option '--check-config' needs a value"), missing.stderr)
        let help = try runProduct("perchd", ["--help"])
        XCTAssertTrue(help.stdout.contains("--check-config FILE"), help.stdout)
        XCTAssertTrue(help.stdout.contains("--set SECTION.KEY=VALUE"), help.stdout)
    }
}
