import XCTest
import Foundation
@testable import PerchDevices
@testable import PerchSystem

/// Real V4L2/ALSA/libgpiod code paths on a machine without the devices: what a missing or
/// wrong device looks like, and that the sources end in a state a daemon can act on.
final class HardwareErrorTests: XCTestCase {
    func testMissingCameraIsNotFoundAndRetried() throws {
        let camera = V4L2Camera(path: "/dev/video-perch-missing", request: FrameRequest())
        XCTAssertThrowsError(try camera.start()) { error in
            XCTAssertEqual(error as? DeviceError, .notFound(device: "/dev/video-perch-missing", Errno(ENOENT)))
            XCTAssertEqual((error as? DeviceError)?.description,
                           "/dev/video-perch-missing: not found (No such file or directory)")
        }
        guard case .waiting(_, let attempt) = camera.state else { return XCTFail("state \(camera.state)") }
        XCTAssertEqual(attempt, 1)
        // nextFrame keeps the camera recoverable: no frame, no throw, another attempt scheduled.
        let start = MonotonicClock.milliseconds
        while MonotonicClock.milliseconds - start < 400 {
            XCTAssertFalse(try camera.nextFrame(timeoutMs: 50) { _ in XCTFail("no frame expected") })
        }
        guard case .waiting(_, let later) = camera.state else { return XCTFail("state \(camera.state)") }
        XCTAssertGreaterThanOrEqual(later, 2)
        camera.stop()
        XCTAssertEqual(camera.state, .closed)
    }

    func testANonCameraNodeFailsForGood() {
        let camera = V4L2Camera(path: "/dev/null", request: FrameRequest())
        XCTAssertThrowsError(try camera.start()) { error in
            XCTAssertFalse((error as? DeviceError)?.isRecoverable ?? true, "\(error)")
        }
        XCTAssertEqual(camera.state, .failed)
    }

    func testMissingGpioChipNamesTheChip() {
        XCTAssertThrowsError(try GpioChip("gpiochip-perch-missing")) { error in
            guard case .notFound(let device, _)? = error as? DeviceError else { return XCTFail("\(error)") }
            XCTAssertEqual(device, "gpio chip gpiochip-perch-missing")
        }
    }
}
