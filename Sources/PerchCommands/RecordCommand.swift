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
        var target = "/v1/record?seconds=" + String(count)
        if let label { target += "&label=" + percentEncoded(label) }
        let client = try UnixSocketClient(path: socket)
        let response = try client.request("POST", target)
        if response.head.status.code >= 400 {
            return ClientCommands.output(response.head.status.code, response.body, json: json) { _ in "" }
        }
        guard let reply = ClientCommands.parse(response.body)?.objectValue, let id = reply["id"]?.int64Value else {
            StandardStream.error.write("perch record: unexpected answer: " + String(decoding: response.body, as: UTF8.self) + "\n")
            return 1
        }
        let directory = reply["directory"]?.stringValue ?? ""
        // Each window is saved once its audio is in: N seconds, plus the writer's time.
        let deadline = MonotonicClock.milliseconds + Int64(count + 15) * 1_000
        var done: JSONObject? = nil
        var lastError: String? = nil
        while done == nil && MonotonicClock.milliseconds < deadline {
            MonotonicClock.sleep(milliseconds: 200)
            let status = ClientCommands.parse(try UnixSocketClient(path: socket).request("GET", "/v1/status").body)
            let record = status?.objectValue?["record"]?.objectValue
            lastError = record?["last_error"]?.stringValue
            done = record?["requests"]?.arrayValue?.compactMap { $0.objectValue }.first { $0["id"]?.int64Value == id }
        }
        guard let done else {
            StandardStream.error.write("perch record: request " + String(id) + " not finished after " + String(count + 15)
                                       + " s" + (lastError.map { ": " + $0 } ?? "") + "\n")
            return 1
        }
        let saved = done["saved"]?.int64Value ?? 0
        let first = done["first"]?.stringValue, last = done["last"]?.stringValue
        if json {
            printLine("{\"id\":" + String(id) + ",\"saved\":" + String(saved) + ",\"failed\":"
                      + String(done["failed"]?.int64Value ?? 0) + ",\"directory\":\"" + directory + "\",\"first\":"
                      + (first.map { "\"" + $0 + "\"" } ?? "null") + ",\"last\":" + (last.map { "\"" + $0 + "\"" } ?? "null") + "}")
        } else if saved > 0 {
            printLine("recorded " + String(saved) + " of " + String(count) + " windows into " + directory + "/train ("
                      + (first ?? "") + (saved > 1 ? " to " + (last ?? "") : "") + ")")
        }
        if saved < Int64(count) {
            StandardStream.error.write("perch record: " + String(Int64(count) - saved) + " of " + String(count)
                                       + " windows not saved: " + (lastError ?? "see perchd's log") + "\n")
            return 1
        }
        return 0
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
