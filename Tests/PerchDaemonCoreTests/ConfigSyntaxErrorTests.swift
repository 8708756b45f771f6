import XCTest
@testable import PerchDaemonCore

/// Line-level mistakes: each names file, line and column, and what was expected.
final class ConfigSyntaxErrorTests: XCTestCase {
    func testLineWithoutEqualsSign() {
        XCTAssertEqual(configErrors("[socket]\npath /run/p.sock\n"),
                       ["perchd.conf:2:6: expected key = value"])
        XCTAssertEqual(configErrors("[socket]\n= 3\n"), ["perchd.conf:2:1: expected key = value"])
    }

    func testUnterminatedQuote() {
        XCTAssertEqual(configErrors("[socket]\ngroup = \"perch\n"),
                       ["perchd.conf:2:9: unterminated quoted string"])
    }

    func testHeaderMistakes() {
        XCTAssertEqual(configErrors("[socket\n"), ["perchd.conf:1:8: expected ] to close the section header"])
        XCTAssertEqual(configErrors("[socket] path = x\n"), ["perchd.conf:1:10: unexpected text after the section header"])
        XCTAssertEqual(configErrors("[]\n"), ["perchd.conf:1:2: empty section header; expected [kind] or [kind name]"])
        XCTAssertEqual(configErrors("[model a b]\n"), ["perchd.conf:1:2: expected [kind] or [kind name], got 3 words"])
    }

    func testKeyBeforeAnySection() {
        XCTAssertEqual(configErrors("# comment\n  width = 3\n"),
                       ["perchd.conf:2:3: key outside any section; expected a [section] header first"])
    }

    func testUnknownSectionSuggestsTheNearestAndSkipsItsKeys() {
        XCTAssertEqual(configErrors("[camra]\ndevice = test-pattern\nwidth = 5\n"), [
            "perchd.conf:1:2: unknown section [camra] (did you mean [camera]?); sections are [daemon], [socket], "
                + "[web], [mqtt], [record], [camera], [microphone], [model], [rule], [action], [gpio-input]",
        ])
        XCTAssertEqual(configErrors("[whatever]\n").first?.hasPrefix("perchd.conf:1:2: unknown section [whatever]; sections"),
                       true)
    }

    func testSectionNames() {
        XCTAssertEqual(configErrors("[model]\nfile = a\n"), ["perchd.conf:1:2: section [model] needs a name, e.g. [model NAME]"])
        XCTAssertEqual(configErrors("[socket main]\n"), ["perchd.conf:1:2: section [socket] takes no name, got \"main\""])
        XCTAssertEqual(configErrors("[action a/b]\n"),
                       ["perchd.conf:1:2: section name \"a/b\" may only hold letters, digits, '.', '-' and '_'"])
    }

    func testDuplicateSectionAndKey() {
        XCTAssertEqual(configErrors("[socket]\nmode = 0600\nmode = 0660\n[daemon]\n[socket]\npath = /x\n"), [
            "perchd.conf:3: [socket] mode: duplicate key (first set on line 2)",
            "perchd.conf:5:2: duplicate section [socket] (first on line 1)",
        ])
    }

    func testWindowsLineEndings() throws {
        let configuration = try XCTUnwrap(validConfiguration("[socket]\r\nmode = 0600\r\n\r\n[daemon]\r\nframe-queue = 3\r\n"))
        XCTAssertEqual(configuration.socket.mode, 0o600)
        XCTAssertEqual(configuration.daemon.frameQueue, 3)
        XCTAssertEqual(configErrors("[socket]\r\nmode = 9\r\n"),
                       ["perchd.conf:2: [socket] mode: expected an octal mode such as 0660, got \"9\""])
    }

    func testCommentsBlankLinesAndQuotedHashes() throws {
        let configuration = try XCTUnwrap(validConfiguration("""
            # leading comment

            [socket]   # trailing comment
            \tpath = "/run/p#1.sock"   # the hash inside quotes is part of the path
            group = "a \\"b\\""\r
            """))
        XCTAssertEqual(configuration.socket.path, "/run/p#1.sock")
        XCTAssertEqual(configuration.socket.group, "a \"b\"")
    }
}
