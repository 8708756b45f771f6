import Foundation
import Glibc
import PerchDaemon
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

final class DaemonLifecycleTests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    func testSighupWithABadConfigKeepsTheOldPipeline() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try writeTestConfig(in: directory)
        let daemon = try DaemonProcess(arguments: ["--config", config])
        XCTAssertTrue(try eventually(10) {
            (try daemon.json("/v1/status")["counters"]?.objectValue?["inferences"]?.int64Value ?? 0) > 0
        })
        // The microphone is the generated WAV: it runs.
        let sources = try daemon.json("/v1/status")["sources"]?.arrayValue ?? []
        XCTAssertEqual(sources.map { $0.objectValue?["state"]?.stringValue ?? "" }, ["running", "running"])
        try "[model av]\nfile = /nonexistent.tflite\ninput.0 = camera\n[camera]\ndevice = test-pattern\nbogus = 1\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        XCTAssertTrue(try eventually(10) { try daemon.json("/v1/status")["reload_error"]?.stringValue != nil })
        XCTAssertTrue(daemon.logText.contains("reload failed"), daemon.logText)
        XCTAssertTrue(daemon.logText.contains("bogus"), daemon.logText)
        let before = try daemon.json("/v1/status")["counters"]?.objectValue?["inferences"]?.int64Value ?? 0
        XCTAssertTrue(try eventually(10) {
            (try daemon.json("/v1/status")["counters"]?.objectValue?["inferences"]?.int64Value ?? 0) > before
        })
        // A good configuration is taken, on the same server.
        let client = try UnixSocketClient(path: daemon.socket)
        _ = try writeTestConfig(in: directory, rate: "2")
        daemon.signal(SIGHUP)
        XCTAssertTrue(try eventually(10) { (try daemon.json("/v1/status")["reloads"]?.int64Value ?? 0) == 1 })
        XCTAssertEqual(try client.request("GET", "/v1/status").head.status.code, 200)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testConfigErrorsExitOneWithEveryError() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = directory + "/bad.conf"
        try "[camera]\ndevice = test-pattern\nfps = many\n[model m]\nfile = /nonexistent\ninput.0 = nosuch\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", config], waitForSocket: false)
        XCTAssertEqual(waitForExit(daemon.pid, timeoutSeconds: 10), 1)
        XCTAssertTrue(daemon.logText.contains("fps"), daemon.logText)
        XCTAssertTrue(daemon.logText.contains("nosuch") || daemon.logText.contains("labels"), daemon.logText)
    }

    func testSdNotifyReadyAndWatchdog() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: path.utf8); raw[path.utf8.count] = 0 }
        XCTAssertEqual(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }, 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let daemon = try DaemonProcess.demo(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"])
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !(messages.contains { $0.contains("READY=1") } && messages.contains { $0.contains("WATCHDOG=1") }) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
        }
        XCTAssertTrue(messages.contains { $0.contains("READY=1") && $0.contains("STATUS=") }, messages.joined(separator: "|"))
        XCTAssertTrue(messages.contains { $0 == "WATCHDOG=1" }, messages.joined(separator: "|"))
        XCTAssertEqual(daemon.stop(), 0)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        var rest = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        while !rest.contains("STOPPING=1") {
            let m = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if m <= 0 { break }
            rest = String(decoding: buffer[0..<m], as: UTF8.self)
        }
        XCTAssertTrue(rest.contains("STOPPING=1"), rest)
    }

    func testSocketActivation() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/activated.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: path.utf8); raw[path.utf8.count] = 0 }
        XCTAssertEqual(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }, 0)
        XCTAssertEqual(listen(fd, 16), 0)
        let perchd = productPath("perchd")
        let daemon = try DaemonProcess(arguments: ["-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" --demo", perchd],
                                       socket: path, inherit: fd, executable: "/bin/sh")
        close(fd)
        XCTAssertTrue(daemon.logText.contains("systemd passed"), daemon.logText)
        XCTAssertEqual(try daemon.get("/v1/status").status, 200)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testPerchClientAgainstTheDemoDaemon() throws {
        let daemon = try DaemonProcess.demo()
        let out = daemon.directory + "/perch.out", err = daemon.directory + "/perch.err"
        let status = try spawn(productPath("perch"), ["status", "--json", "--socket", daemon.socket], stdout: out, stderr: err)
        XCTAssertEqual(waitForExit(status, timeoutSeconds: 10), 0)
        let json = try JSONParser(parseDouble: parseDouble).parse(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
        XCTAssertNotNil(json.objectValue?["sources"])
        let human = try spawn(productPath("perch"), ["status"], environment: ["PERCH_SOCKET": daemon.socket], stdout: out, stderr: err)
        XCTAssertEqual(waitForExit(human, timeoutSeconds: 10), 0)
        XCTAssertTrue(try String(contentsOfFile: out, encoding: .utf8).contains("sources:"))
        let watch = try spawn(productPath("perch"), ["watch", "--json", "--since", "0", "--socket", daemon.socket], stdout: out, stderr: err)
        XCTAssertTrue(eventually(15) { ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("\n") })
        kill(watch, SIGTERM)
        _ = waitForExit(watch, timeoutSeconds: 5)
        let first = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertEqual(try JSONParser(parseDouble: parseDouble).parse(first).objectValue?["seq"]?.int64Value, 1)
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// A GPIO chip that is not there leaves its action waiting (a gpio source retried)
    /// and the daemon runs on, at start and after a reload. Status requests are answered
    /// meanwhile: the server thread reads the source list while the main thread opens GPIO
    /// (what ThreadSanitizer checks, see tools/sanitize.sh).
    func testAMissingGpioChipIsReportedAndTheDaemonRunsOn() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let chip = "gpiochip-perch-test-missing"
        let config = try writeTestConfig(in: directory, extra: "[action lamp]\nrule = av.person\nchip = " + chip + "\nline = 3\n")
        let daemon = try DaemonProcess(arguments: ["--config", config])
        func gpioSource() throws -> JSONObject? {
            try daemon.json("/v1/status")["sources"]?.arrayValue?.compactMap { $0.objectValue }.first { $0["kind"]?.stringValue == "gpio" }
        }
        XCTAssertTrue(try eventually(10) { try gpioSource()?["state"]?.stringValue == "waiting" })
        XCTAssertEqual(try gpioSource()?["device"]?.stringValue, chip)
        XCTAssertNotNil(try gpioSource()?["last_error"]?.stringValue)
        XCTAssertTrue(daemon.logText.contains("gpio chip " + chip), daemon.logText)
        daemon.signal(SIGHUP)
        XCTAssertTrue(try eventually(10) { (try daemon.json("/v1/status")["reloads"]?.int64Value ?? 0) == 1 })
        XCTAssertTrue(try eventually(10) { try gpioSource()?["state"]?.stringValue == "waiting" })
        XCTAssertTrue(try eventually(10) {
            (try daemon.json("/v1/status")["counters"]?.objectValue?["inferences"]?.int64Value ?? 0) > 0
        })
        XCTAssertEqual(daemon.stop(), 0)
    }
}
