import XCTest
@testable import PerchDaemon
import PerchDevices
import PerchSystem

/// What /v1/status reports for a device that reopens itself after it is lost (V4L2Camera,
/// AlsaMicrophone): the status follows the device through the outage and back.
final class SourceStatusTests: XCTestCase {
    func testAMissingCameraShowsWaitingWithItsErrorAndOneRetryPerAttempt() throws {
        let camera = V4L2Camera(path: "/dev/video-perch-missing", request: FrameRequest())
        XCTAssertThrowsError(try camera.start())
        XCTAssertEqual(camera.lastError, .notFound(device: "/dev/video-perch-missing", Errno(ENOENT)))
        let status = SourceStatus(name: "camera", kind: "camera", device: camera.name)
        status.follow(camera.state, error: camera.lastError, reconnects: camera.statistics.reconnects)
        status.follow(camera.state, error: camera.lastError, reconnects: camera.statistics.reconnects)
        var s = status.snapshot()
        XCTAssertEqual(s.state, "waiting")
        XCTAssertEqual(s.retries, 1, "the same attempt seen twice is one retry")
        XCTAssertEqual(s.lastError, "/dev/video-perch-missing: not found (No such file or directory)")
        // Let the camera fail its next reopen attempt.
        let start = MonotonicClock.milliseconds
        while case .waiting(_, let attempt) = camera.state, attempt < 2, MonotonicClock.milliseconds - start < 2_000 {
            _ = try camera.nextFrame(timeoutMs: 50) { _ in XCTFail("no frame expected") }
        }
        status.follow(camera.state, error: camera.lastError, reconnects: camera.statistics.reconnects)
        s = status.snapshot()
        XCTAssertEqual(s.retries, 2)
        XCTAssertEqual(s.reconnects, 0)
        camera.stop()
    }

    func testReconnectsAddUpAcrossDeviceObjects() {
        let status = SourceStatus(name: "microphone", kind: "microphone", device: "hw:Loopback,1,0")
        let lost = DeviceError.disconnected(device: "hw:Loopback,1,0", Errno(ENODEV))
        status.follow(.running, error: nil, reconnects: 0)
        status.follow(.waiting(retryAtMs: 0, attempt: 1), error: lost, reconnects: 0)
        XCTAssertEqual(status.snapshot().state, "waiting")
        status.follow(.running, error: lost, reconnects: 1)
        var s = status.snapshot()
        XCTAssertEqual(s.state, "running")
        XCTAssertEqual(s.reconnects, 1)
        XCTAssertEqual(s.retries, 1)
        XCTAssertEqual(s.lastError, "hw:Loopback,1,0: device disconnected (No such device)", "kept after recovery")
        // The supervisor made a new device object, whose own count starts again at 0.
        status.follow(.running, error: nil, reconnects: 0)
        status.follow(.waiting(retryAtMs: 0, attempt: 1), error: lost, reconnects: 0)
        status.follow(.running, error: lost, reconnects: 1)
        s = status.snapshot()
        XCTAssertEqual(s.reconnects, 2)
        XCTAssertEqual(s.retries, 2, "attempt 1 of the new object is a new retry")
    }

    func testXrunsAddUpAcrossDeviceObjects() {
        let status = SourceStatus(name: "microphone", kind: "microphone", device: "hw:Loopback,1,0")
        status.follow(.running, error: nil, reconnects: 0, overruns: 2)
        status.follow(.running, error: nil, reconnects: 0, overruns: 3)
        XCTAssertEqual(status.snapshot().xruns, 3)
        // The supervisor reopened the PCM: the new object counts its overruns from 0.
        status.follow(.running, error: nil, reconnects: 0, overruns: 1)
        XCTAssertEqual(status.snapshot().xruns, 4, "the total never goes back")
    }
}
