import XCTest
import PerchJSON
@testable import PerchCommands

/// `perch status` as text: what a user reading it after a device fault needs to see.
final class StatusRenderTests: XCTestCase {
    private func render(_ json: String) throws -> String {
        let value = try JSONParser(parseDouble: { Double($0) }).parse(json)
        return ClientRender.status(value)
    }

    func testASourceThatHadTroubleShowsItsCountersAndLastError() throws {
        let text = try render("""
            {"version": "0.1.0", "uptime_seconds": 12, "config": "c", "socket": "s", "sources": [
              {"name": "camera", "kind": "camera", "state": "running", "frames": 40, "device": "/dev/video0",
               "reconnects": 1, "retries": 3, "xruns": 0, "last_error": "device disconnected"},
              {"name": "microphone", "kind": "microphone", "state": "running", "frames": 16000, "device": "hw:1",
               "reconnects": 0, "retries": 0, "xruns": 0}
            ], "models": []}
            """)
        let lines = text.split(separator: "\n").map(String.init)
        let camera = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("  camera") }, text)
        XCTAssertEqual(lines[camera + 1].trimmingCharacters(in: .whitespaces), "reconnects 1, retries 3", text)
        XCTAssertEqual(lines[camera + 2].trimmingCharacters(in: .whitespaces), "last error: device disconnected", text)
        let microphone = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("  microphone") }, text)
        XCTAssertFalse(lines[microphone + 1].hasPrefix("      "), "a healthy source gets no counters line:\n" + text)
    }

    /// Each model's kernel path and thread count, in `perch status` and `perch models`.
    func testModelsShowKernelPathAndThreads() throws {
        let status = try render("""
            {"version": "0.1.0", "uptime_seconds": 1, "config": "c", "socket": "s", "sources": [],
             "models": [{"name": "av", "inferences": 7, "frames_dropped": 0, "kernel_path": "neon-sdot", "threads": 4}]}
            """)
        XCTAssertTrue(status.contains("  av          inferences 7        frames dropped 0     neon-sdot, 4 threads\n"), status)
        let models = ClientRender.models(try JSONParser(parseDouble: { Double($0) }).parse("""
            {"models": [{"name": "av", "file": "m.tflite", "rate": 2, "macs": 100, "kernel_path": "neon-smull",
              "threads": 1, "inputs": [], "labels": []}]}
            """))
        XCTAssertTrue(models.hasPrefix("av: m.tflite, 2/s, 100 MACs, neon-smull, 1 thread\n"), models)
    }
}
