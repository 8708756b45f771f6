import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// `perch watch [--since SEQ [--instance ID]] [--follow] [--json]`: the event stream.
/// With --follow it never gives up: it remembers the seq and instance of the last event it
/// printed and, when the connection drops (perchd restarted, the stream was cut), reconnects
/// with `since`+`instance`, so every event is printed once and in order; a daemon that
/// restarted answers with a reset line, which is printed as such.
enum WatchCommand {
    /// Where the stream stands: the last seq printed and the instance it belongs to.
    struct Position {
        var seq: UInt64
        var instance: String?

        var query: String {
            "?since=" + String(seq) + (instance.map { "&instance=" + $0 } ?? "")
        }
    }

    /// Why a stream stopped: the daemon answered with an error (final), or the connection
    /// went away (worth another try).
    enum Ending {
        case refused(code: Int, message: String)
        case lost(String)
    }

    static func run(socket: String, since: String?, instance: String?, follow: Bool, json: Bool) -> Int32 {
        var position: Position? = nil
        if let since {
            guard let seq = UInt64(since) else {
                StandardStream.error.write("perch watch: --since must be an event sequence number, not '" + since + "'\n")
                return 2
            }
            position = Position(seq: seq, instance: instance)
        }
        guard follow else {
            switch stream(socket: socket, from: &position, json: json, onFirstLine: {}) {
            case .refused(let code, let message): return refused(code, message)
            case .lost(let reason) where reason.isEmpty: return 0
            case .lost(let reason):
                StandardStream.error.write("perch watch: " + reason + "\n")
                return 1
            }
        }
        let backoff = Backoff()
        while true {
            // Without --since: from now on, which is the daemon's newest seq (so nothing is lost
            // between this question and the stream opening).
            if position == nil {
                switch now(socket: socket) {
                case .success(let p): position = p
                case .failure(let failure):
                    backoff.wait(failure.reason)
                    continue
                }
            }
            switch stream(socket: socket, from: &position, json: json, onFirstLine: { backoff.succeeded() }) {
            case .refused(let code, let message): return refused(code, message)
            case .lost(let reason): backoff.wait(reason.isEmpty ? "the daemon ended the stream" : reason)
            }
        }
    }

    static func refused(_ code: Int, _ message: String) -> Int32 {
        StandardStream.error.write("perch watch: " + String(code) + ": " + message + "\n")
        return 1
    }

    struct Unreachable: Error {
        var reason: String
    }

    /// The daemon's instance and newest seq, from /v1/status.
    static func now(socket: String) -> Result<Position, Unreachable> {
        do throws(UnixSocketClient.Failure) {
            let client = try UnixSocketClient(path: socket, timeoutMilliseconds: 10_000)
            let response = try client.request("GET", "/v1/status")
            guard let o = ClientCommands.parse(response.body)?.objectValue, let seq = o["last_event_seq"]?.int64Value, seq >= 0
            else { return .failure(Unreachable(reason: "GET /v1/status: " + String(response.head.status.code) + ", no last_event_seq")) }
            return .success(Position(seq: UInt64(seq), instance: o["instance"]?.stringValue))
        } catch {
            return .failure(Unreachable(reason: error.description))
        }
    }

    /// One connection: prints its lines and moves `position` along. `.lost("")` is an
    /// orderly end of the stream.
    static func stream(socket: String, from position: inout Position?, json: Bool, onFirstLine: () -> Void) -> Ending {
        var errorBody: [UInt8] = []
        var first = true
        let head: HTTPResponseHead
        do throws(UnixSocketClient.Failure) {
            let client = try UnixSocketClient(path: socket, timeoutMilliseconds: 365 * 24 * 3_600_000)
            head = try client.streamLines("/v1/events" + (position?.query ?? "")) { line in
                if first { onFirstLine(); first = false }
                guard let o = ClientCommands.parse(line)?.objectValue, o["error"] == nil else {
                    errorBody += line
                    return true
                }
                if let reset = o["reset"]?.objectValue {
                    let firstSeq = reset["first_seq"]?.int64Value ?? 1
                    position = Position(seq: UInt64(max(firstSeq - 1, 0)), instance: reset["instance"]?.stringValue)
                } else if let seq = o["seq"]?.int64Value, seq >= 0 {
                    position = Position(seq: UInt64(seq), instance: o["instance"]?.stringValue ?? position?.instance)
                }
                if json {
                    var bytes = line
                    bytes.append(0x0A)
                    _ = bytes.withUnsafeBytes { StandardStream.output.write(bytes: $0) }
                } else {
                    StandardStream.output.write(ClientRender.event(.object(o)))
                }
                return true
            }
        } catch {
            return .lost(error.description)
        }
        if head.status.code >= 400 {
            let value = ClientCommands.parse(errorBody)
            return .refused(code: head.status.code, message: value?.objectValue?["error"]?.objectValue?["message"]?.stringValue
                                                           ?? String(decoding: errorBody, as: UTF8.self))
        }
        return .lost("")
    }

    /// Waits before the next attempt: 100 ms, doubling to 2 s while attempts fail; says once
    /// per outage on stderr that it is reconnecting.
    final class Backoff {
        private var delayMs = 100
        private var announced = false

        func wait(_ reason: String) {
            if !announced {
                StandardStream.error.write("perch watch: " + reason + "; reconnecting\n")
                announced = true
            }
            MonotonicClock.sleep(milliseconds: delayMs)
            delayMs = min(delayMs * 2, 2_000)
        }

        func succeeded() {
            delayMs = 100
            announced = false
        }
    }
}
