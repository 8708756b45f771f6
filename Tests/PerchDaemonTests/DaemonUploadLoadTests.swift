import Foundation
import Glibc
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

/// POST /v1/infer under the load tools/load puts on it: more uploads than the model's job
/// queue holds, and a steady flow of uploads beside the model's own schedule.
final class DaemonUploadLoadTests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    private let upload = gradientPPM()

    private func sendUpload(_ client: UnixSocketClient) throws {
        try client.sendRequest("POST", "/v1/infer?model=av",
                               headers: HTTPHeaders([("Content-Type", "image/x-portable-pixmap")]), body: upload)
    }

    /// The whole answer to the request sent last, as JSON.
    private func readAnswer(_ client: UnixSocketClient) throws -> JSONObject {
        guard case .head(let head) = try client.nextEvent() else { throw NSError(domain: "no head", code: 1) }
        XCTAssertEqual(head.status.code, 200)
        var body: [UInt8] = []
        while case .body(let bytes) = try client.nextEvent() { body += bytes }
        guard let object = try JSONParser(parseDouble: parseDouble).parse(body).objectValue else {
            throw NSError(domain: "not a JSON object", code: 2)
        }
        return object
    }

    private func scheduledInferences(_ daemon: DaemonProcess) throws -> Int64 {
        try daemon.json("/v1/results/latest")["results"]?.arrayValue?.first?.objectValue?["inferences"]?.int64Value ?? 0
    }

    /// Before: a full job queue dropped the oldest upload without answering it, and its
    /// client waited forever on a stream nobody finished.
    func testEveryUploadIsAnsweredWhenMoreArriveThanTheQueueHolds() throws {
        let daemon = try DaemonProcess.demo()
        let clients = try (0..<16).map { _ in try UnixSocketClient(path: daemon.socket, timeoutMilliseconds: 30_000) }
        for client in clients { try sendUpload(client) }
        var scored = 0
        var refused = 0
        for (i, client) in clients.enumerated() {
            let answer: JSONObject
            do {
                answer = try readAnswer(client)
            } catch {
                // One is enough: the others would each wait out their own timeout.
                return XCTFail("upload " + String(i) + " was never answered: " + String(describing: error))
            }
            if answer["scores"]?.objectValue?.count == 11 {
                scored += 1
            } else if answer["error"]?.objectValue?["code"]?.int64Value == 503 {
                refused += 1
            } else {
                XCTFail("upload " + String(i) + ": neither scores nor a 503 error object")
            }
        }
        XCTAssertEqual(scored + refused, 16)
        XCTAssertGreaterThan(scored, 0)
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// Before: jobs always ran first, so while uploads kept the queue non-empty the model's
    /// scheduled inference never ran. Now the schedule goes first when due.
    func testAFlowOfUploadsDoesNotStarveTheSchedule() throws {
        let daemon = try DaemonProcess.demo()
        XCTAssertTrue(try eventually(20) { try scheduledInferences(daemon) > 0 })
        let clients = try (0..<8).map { _ in try UnixSocketClient(path: daemon.socket, timeoutMilliseconds: 60_000) }
        for client in clients { try sendUpload(client) }
        let before = try scheduledInferences(daemon)
        var answered = 0
        var advanced: Int64 = 0
        // Every client sends its next upload as soon as its answer is in: the queue never
        // empties while this runs. Bounded by uploads, not by time.
        while answered < 100 && advanced < 3 {
            for client in clients {
                _ = try readAnswer(client)
                answered += 1
                try sendUpload(client)
            }
            advanced = try scheduledInferences(daemon) - before
        }
        for client in clients { _ = try readAnswer(client) }
        XCTAssertGreaterThanOrEqual(advanced, 3, "scheduled inferences during " + String(answered) + " uploads")
        XCTAssertEqual(daemon.stop(), 0)
    }
}
