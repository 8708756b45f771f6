import PerchDaemonCore
import PerchJSON

/// JSON bodies of GET /v1/rules and /v1/audio.
enum ViewJSON {
    /// Every rule with its thresholds and whether its label is in an episode now.
    static func rules(_ pipeline: Pipeline) -> JSONValue {
        .object([("rules", .array(pipeline.configuration.rules.map { rule in
            .object([("model", .string(rule.model)), ("label", .string(rule.label)),
                     ("on", .double(short(rule.on))), ("off", .double(short(rule.off))),
                     ("hits", .integer(Int64(rule.hits))), ("window", .integer(Int64(rule.window))),
                     ("active", .bool(pipeline.rules.isActive(model: rule.model, label: rule.label))),
                     ("average", pipeline.rules.average(model: rule.model, label: rule.label).map { .double(Double($0)) } ?? .null)])
        }))])
    }

    /// Feature frames appended after `since` (a previous answer's `total`), oldest first,
    /// and the loudness of the last period.
    static func audio(_ microphone: MicrophoneWorker, since: UInt64) -> JSONValue {
        let ring = microphone.features
        let recent = ring.recent(since: since)
        var frames: [JSONValue] = []
        var i = 0
        while i + ring.frameSize <= recent.frames.count {
            frames.append(.array(recent.frames[i..<(i + ring.frameSize)].map { .integer(Int64($0)) }))
            i += ring.frameSize
        }
        let level = microphone.level.current
        return .object([("microphone", .string(microphone.config.name)), ("bands", .integer(Int64(ring.frameSize))),
                        ("frame_ms", .integer(20)), ("total", .integer(Int64(recent.total))),
                        ("frames", .array(frames)),
                        ("level_dbfs", .double(rounded(level.rms))), ("peak_dbfs", .double(rounded(level.peak)))])
    }

    static func rounded(_ x: Double) -> Double { (x * 10).rounded() / 10 }

    /// A threshold as written (0.7, not 0.699999988: the Float widened to Double).
    static func short(_ x: Float) -> Double { (Double(x) * 1_000_000).rounded() / 1_000_000 }
}
