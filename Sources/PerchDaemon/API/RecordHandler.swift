import PerchDaemonCore
import PerchHTTP
import PerchJSON

/// `POST /v1/record?label=L&seconds=N` and the `record` object of `/v1/status`.
enum RecordHandler {
    static func handle(_ request: HTTPRequest, pipeline: Pipeline) -> HTTPResponse {
        guard let recorder = pipeline.recorder else {
            return .error(HTTPStatus(code: 409), "recording is not configured: add a [record] section (docs/configuration.md)")
        }
        let query = request.head.query
        var seconds = 1
        if let text = HTTPQuery.value("seconds", in: query) {
            guard let value = Int(text), value >= 1, value <= RecordConfig.maxSeconds else {
                return .error(.badRequest, "seconds must be a whole number from 1 to " + String(RecordConfig.maxSeconds)
                              + ", not '" + text + "'")
            }
            seconds = value
        }
        // No label (or an empty one): an unlabelled recording, for a teacher model to label later.
        var label = HTTPQuery.value("label", in: query)
        if label == "" { label = nil }
        switch recorder.request(label: label, seconds: seconds) {
        case .success(let id):
            return .json(.object([("recording", .string("queued")), ("id", .integer(Int64(id))), ("label", label.map { .string($0) } ?? .null),
                                  ("seconds", .integer(Int64(seconds))), ("directory", .string(recorder.config.directory))]),
                         status: .accepted)
        case .failure(let error):
            let queueFull = error.message.hasPrefix("the recording queue is full")
            // A full queue is the client's pace, not a server fault: 429, try again.
            return .error(queueFull ? .tooManyRequests : (recorder.config.onDemand ? .badRequest : HTTPStatus(code: 409)),
                          error.message)
        }
    }

    static func status(_ recorder: Recorder) -> JSONValue {
        let s = recorder.snapshot
        return .object([("directory", .string(recorder.config.directory)),
                        ("budget_bytes", .integer(Int64(recorder.config.budgetBytes))),
                        ("bytes", .integer(Int64(s.bytes))), ("recordings", .integer(Int64(s.recordings))),
                        ("saved", .integer(Int64(s.saved))), ("dropped", .integer(Int64(s.dropped))),
                        ("failed", .integer(Int64(s.failed))),
                        ("last_saved", s.lastSaved.map { .string($0) } ?? .null),
                        ("last_error", s.lastError.map { .string($0) } ?? .null),
                        ("requests", .array(s.finished.map { f in
                            .object([("id", .integer(Int64(f.id))), ("saved", .integer(Int64(f.saved))),
                                     ("failed", .integer(Int64(f.failed))), ("first", f.first.map { .string($0) } ?? .null),
                                     ("last", f.last.map { .string($0) } ?? .null)])
                        }))])
    }
}
