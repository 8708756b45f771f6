import XCTest
import Foundation
@testable import PerchDevices
@testable import PerchSystem

/// A fresh temporary folder per test, removed afterwards.
func temporaryFolder(_ test: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("perch-devices-\(test)-\(getpid())")
    try? FileManager.default.removeItem(at: dir)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

final class BackoffAndErrorTests: XCTestCase {
    func testBackoffDoublesUpToTheCapAndResets() {
        var backoff = Backoff(initialMs: 100, maximumMs: 1_000)
        XCTAssertEqual((0..<6).map { _ in backoff.nextDelayMs() }, [100, 200, 400, 800, 1_000, 1_000])
        backoff.reset()
        XCTAssertEqual(backoff.nextDelayMs(), 100)
    }

    func testErrnoMapsToActionableCases() {
        XCTAssertEqual(DeviceError.from(Errno(ENOENT), device: "d", operation: "open"), .notFound(device: "d", Errno(ENOENT)))
        XCTAssertEqual(DeviceError.from(Errno(EBUSY), device: "d", operation: "open"), .busy(device: "d"))
        XCTAssertEqual(DeviceError.from(Errno(ENODEV), device: "d", operation: "x"), .disconnected(device: "d", Errno(ENODEV)))
        XCTAssertEqual(DeviceError.from(Errno(EIO), device: "d", operation: "x"), .disconnected(device: "d", Errno(EIO)))
        XCTAssertTrue(DeviceError.busy(device: "d").isRecoverable)
        XCTAssertFalse(DeviceError.from(Errno(EINVAL), device: "d", operation: "x").isRecoverable)
        XCTAssertEqual(DeviceError.busy(device: "hw:1,0").description, "hw:1,0: device busy (held by another process)")
    }
}
