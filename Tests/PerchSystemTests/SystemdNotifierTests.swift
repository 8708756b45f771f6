import XCTest
import Foundation
@testable import PerchSystem

/// A datagram socket stands in for systemd's notify socket.
final class SystemdNotifierTests: XCTestCase {
    var path = ""
    var listener: Int32 = -1

    override func setUpWithError() throws {
        path = NSTemporaryDirectory() + "perch-notify-\(getpid())-\(UUID().uuidString.prefix(8))"
        listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(listener, 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let status = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(status, 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    override func tearDown() {
        close(listener)
        unlink(path)
    }

    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(listener, &buffer, buffer.count, 0)
        return n < 0 ? nil : String(decoding: buffer[0..<n], as: UTF8.self)
    }

    func testMessagesArriveAsDatagrams() throws {
        let env = ["NOTIFY_SOCKET": path]
        let notifier = try XCTUnwrap(SystemdNotifier(environment: { env[$0] }))
        notifier.ready(status: "2 models loaded")
        XCTAssertEqual(receive(), "READY=1\nSTATUS=2 models loaded")
        notifier.watchdog()
        XCTAssertEqual(receive(), "WATCHDOG=1")
        notifier.reloading()
        let reloading = try XCTUnwrap(receive())
        XCTAssertTrue(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="), reloading)
        notifier.stopping()
        XCTAssertEqual(receive(), "STOPPING=1")
    }

    func testNoSocketMeansNoNotifier() {
        XCTAssertNil(SystemdNotifier(environment: { _ in nil }))
        XCTAssertNil(SystemdNotifier(environment: { $0 == "NOTIFY_SOCKET" ? "" : nil }))
    }

    func testWatchdogIntervalIsHalfOfWatchdogUsecForThisProcessOnly() throws {
        var env = ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000"]
        XCTAssertEqual(SystemdNotifier(environment: { env[$0] })?.watchdogIntervalNanoseconds, 5_000_000_000)
        env["WATCHDOG_PID"] = String(getpid())
        XCTAssertEqual(SystemdNotifier(environment: { env[$0] })?.watchdogIntervalNanoseconds, 5_000_000_000)
        env["WATCHDOG_PID"] = String(getpid() + 1)
        let other = try XCTUnwrap(SystemdNotifier(environment: { env[$0] }))
        XCTAssertNil(other.watchdogIntervalNanoseconds)
    }

    func testASocketThatIsGoneIsReportedNotFatal() throws {
        let env = ["NOTIFY_SOCKET": path + "-missing"]
        let notifier = try XCTUnwrap(SystemdNotifier(environment: { env[$0] }))
        XCTAssertEqual(notifier.send("READY=1"), Errno.noEntry)
    }
}
