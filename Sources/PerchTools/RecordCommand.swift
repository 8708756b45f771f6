import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// `perch record [--label L] [--seconds N]`: asks perchd to record from now
/// (`POST /v1/record`) and waits until every window is saved or has failed (`/v1/status`
/// `record`), so a script can train on the directory right after.
enum RecordCommand {
    static func run(socket: String, label: String?, seconds: String?, json: Bool) throws(UnixSocketClient.Failure) -> Int32 {
        let count = Int(seconds ?? "1") ?? 0
        guard count >= 1 else {
            StandardStream.error.write("perch record: --seconds must be a whole number from 1 to 30\n")
            return 2
        }
        let before = try counters(socket)
        var target = "/v1/record?seconds=" + String(count)
        if let label { target += "&label=" + percentEncoded(label) }
        let client = try UnixSocketClient(path: socket)
        let response = try client.request("POST", target)
        if response.head.status.code >= 400 {
            return ClientCommands.output(response.head.status.code, response.body, json: json) { _ in "" }
        }
        // Each window is saved once its audio is in: N seconds, plus the writer's time.
        let deadline = MonotonicClock.milliseconds + Int64(count + 15) * 1_000
        var now = before
        while MonotonicClock.milliseconds < deadline {
            MonotonicClock.sleep(milliseconds: 200)
            now = try counters(socket)
            if now.saved + now.failed >= before.saved + before.failed + UInt64(count) { break }
        }
        let saved = now.saved - before.saved, failed = now.failed - before.failed
        if json {
            printLine("{\"saved\":" + String(saved) + ",\"failed\":" + String(failed) + ",\"last_saved\":"
                      + (now.lastSaved.map { "\"" + $0 + "\"" } ?? "null") + "}")
        } else {
            printLine("recorded " + String(saved) + " of " + String(count) + " windows into " + now.directory
                      + (now.lastSaved.map { " (last " + $0 + ")" } ?? ""))
        }
        if saved < UInt64(count) {
            StandardStream.error.write("perch record: " + String(UInt64(count) - saved) + " windows not saved: "
                                       + (now.lastError ?? "timed out waiting for the recorder") + "\n")
            return 1
        }
        return 0
    }

    struct Counters {
        var saved: UInt64 = 0, failed: UInt64 = 0
        var directory = "", lastSaved: String? = nil, lastError: String? = nil
    }

    static func counters(_ socket: String) throws(UnixSocketClient.Failure) -> Counters {
        let client = try UnixSocketClient(path: socket)
        let response = try client.request("GET", "/v1/status")
        var c = Counters()
        guard let record = ClientCommands.parse(response.body)?.objectValue?["record"]?.objectValue else { return c }
        if case .integer(let v)? = record["saved"] { c.saved = UInt64(max(0, v)) }
        if case .integer(let v)? = record["failed"] { c.failed = UInt64(max(0, v)) }
        c.directory = record["directory"]?.stringValue ?? ""
        c.lastSaved = record["last_saved"]?.stringValue
        c.lastError = record["last_error"]?.stringValue
        return c
    }

    /// Query-string encoding: unreserved bytes as they are, the rest as %XX.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in text.utf8 {
            let unreserved = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~")
            if unreserved { out.append(b) } else { out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
