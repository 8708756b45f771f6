import Foundation
import PerchDaemon
import PerchJSON
import PerchRuntime
import PerchSystem
import XCTest

/// The real perchd reports, per model, the kernel path it runs and its threads; the path is
/// the one this CPU's features select (the same choice `perch bench` makes).
final class DaemonKernelPathTests: XCTestCase {
    /// The path from the CPU's features, computed here from CPUFeatures rather than asked of
    /// the daemon's own helper.
    var expectedPath: String {
        let cpu = CPUFeatures.detect()
        return KernelPath.best(hwcap: cpu.hwcap, x86AVX512VNNI: cpu.x86AVX512VNNI, x86AVX2: cpu.x86AVX2).name
    }

    func model(_ daemon: DaemonProcess, _ target: String) throws -> JSONObject {
        try XCTUnwrap(daemon.json(target)["models"]?.arrayValue?.first?.objectValue, target)
    }

    func testDaemonRunsTheDetectedPath() throws {
        let daemon = try DaemonProcess.demo()
        let m = try model(daemon, "/v1/models")
        XCTAssertEqual(m["kernel_path"]?.stringValue, expectedPath, "CPU: " + CPUFeatures.detect().description)
        XCTAssertEqual(m["threads"]?.int64Value, 1)
        let s = try model(daemon, "/v1/status")
        XCTAssertEqual(s["kernel_path"]?.stringValue, expectedPath)
        XCTAssertEqual(s["threads"]?.int64Value, 1)
        XCTAssertEqual(daemon.stop(), 0)
    }

    func testOverrideAndThreadsAreHonoured() throws {
        let daemon = try DaemonProcess.demo(["--set", "model.av.threads=2"], environment: ["PERCH_KERNEL_PATH": "widening"])
        let m = try model(daemon, "/v1/models")
        XCTAssertEqual(m["kernel_path"]?.stringValue, KernelPath.widening.name)
        XCTAssertEqual(m["threads"]?.int64Value, 2)
        // Inference goes on with the pool (the demo runs several per second).
        XCTAssertTrue(try eventually(15) {
            (try model(daemon, "/v1/status")["inferences"]?.int64Value ?? 0) >= 3
        }, daemon.logText)
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// A path this CPU cannot run (or no path at all) is logged; the daemon runs the detected one.
    func testUnusableOverrideIsLoggedAndTheDetectedPathUsed() throws {
        let daemon = try DaemonProcess.demo(environment: ["PERCH_KERNEL_PATH": "no-such-path"])
        let m = try model(daemon, "/v1/models")
        XCTAssertEqual(m["kernel_path"]?.stringValue, expectedPath)
        XCTAssertTrue(daemon.logText.contains("PERCH_KERNEL_PATH: 'no-such-path' is not a kernel path"), daemon.logText)
        XCTAssertEqual(daemon.stop(), 0)
    }
}
