import PerchDaemonCore
import PerchJSON
import PerchMQTT
import PerchRuntime
import PerchSystem

/// JSON bodies of GET /v1/status, /v1/models and /v1/results/latest.
enum StatusJSON {
    static func optional(_ text: String?) -> JSONValue {
        if let text { return .string(text) }
        return .null
    }

    static func source(_ s: SourceStatus.Snapshot) -> JSONValue {
        .object([("name", .string(s.name)), ("kind", .string(s.kind)), ("device", .string(s.device)),
                 ("state", .string(s.state)), ("frames", .integer(Int64(s.frames))), ("xruns", .integer(Int64(s.xruns))),
                 ("retries", .integer(Int64(s.retries))),
                 ("reconnects", .integer(Int64(s.reconnects))), ("last_error", optional(s.lastError))])
    }

    static func status(_ state: DaemonState, socket: String) -> JSONValue {
        let pipeline = state.current
        let sources = pipeline.sourceStatuses.map { $0.snapshot() }
        var frames: UInt64 = 0
        var xruns: UInt64 = 0
        var lastError: String? = nil
        for s in sources {
            if s.kind == "camera" { frames += s.frames }
            xruns += s.xruns
            if let e = s.lastError, s.state != "running" { lastError = s.name + ": " + e }
        }
        var drops: UInt64 = 0
        var inferences: UInt64 = 0
        var models: [JSONValue] = []
        for runner in pipeline.models {
            let c = runner.snapshot
            let dropped = runner.frameDrops
            drops += dropped
            inferences += c.inferences
            if let e = c.lastError, lastError == nil { lastError = runner.config.name + ": " + e }
            models.append(.object([("name", .string(runner.config.name)), ("inferences", .integer(Int64(c.inferences))),
                                   ("frames_dropped", .integer(Int64(dropped))),
                                   ("kernel_path", .string(runner.interpreter.options.kernelPath.name)),
                                   ("threads", .integer(Int64(runner.interpreter.threads))),
                                   ("last_error", optional(c.lastError))]))
        }
        let reload = state.reloadStatus
        let socketBind = state.socketBindStatus
        var events: UInt64 = 0
        for t in state.eventTotals { events += t.count }
        return .object([
            ("version", .string(state.version)),
            ("uptime_seconds", .double(state.uptimeSeconds)),
            ("config", .string(pipeline.configuration.file)),
            ("socket", .string(socket)),
            ("web", optional(state.webAddress.map { "http://" + $0 + "/" })),
            ("sources", .array(sources.map(source))),
            ("models", .array(models)),
            ("counters", .object([("frames", .integer(Int64(frames))), ("drops", .integer(Int64(drops))),
                                  ("xruns", .integer(Int64(xruns))), ("inferences", .integer(Int64(inferences))),
                                  ("events", .integer(Int64(events)))])),
            ("instance", .string(state.instance)),
            ("last_event_seq", .integer(Int64(state.bus.lastSeq))),
            ("reloads", .integer(Int64(reload.count))),
            ("reload_failures", .integer(Int64(reload.failures))),
            ("reload_error", optional(reload.error)),
            ("gpio", .array(pipeline.gpioLines.map(gpioLine))),
            ("log", .object([("lines_dropped", .integer(Int64(Log.droppedLines))),
                             ("last_error", optional(Log.lastWriteError?.description))])),
            ("socket_bind_failures", .integer(Int64(socketBind.failures))),
            ("socket_bind_error", optional(socketBind.error)),
            ("mqtt", state.mqtt.map { mqtt($0.snapshot) } ?? .null),
            ("record", pipeline.recorder.map { RecordHandler.status($0) } ?? .null),
            ("faults", .array(Faults.current(state).map { f in
                .object([("component", .string(f.component)), ("message", .string(f.message))])
            })),
            ("last_error", optional(lastError)),
        ])
    }

    static func gpioLine(_ line: GpioLineStatus) -> JSONValue {
        .object([("kind", .string(line.kind.rawValue)), ("name", .string(line.name)), ("chip", .string(line.chip)),
                 ("line", .integer(Int64(line.line))), ("state", .string(line.error == nil ? "held" : line.retrying ? "waiting" : "failed")),
                 ("error", optional(line.error))])
    }

    static func models(_ pipeline: Pipeline) -> JSONValue {
        .object([("models", .array(pipeline.models.map { runner in
            let config = runner.config
            let tensors = runner.interpreter.inputs
            var inputs: [JSONValue] = []
            for input in config.inputs {
                let shape = input.index < tensors.count ? tensors[input.index].shape : []
                let kind = runner.imageInputs.contains { $0.index == input.index } ? "image" : "audio"
                inputs.append(.object([("index", .integer(Int64(input.index))), ("source", .string(input.source)),
                                       ("kind", .string(kind)), ("shape", .array(shape.map { .integer(Int64($0)) }))]))
            }
            let summary = runner.interpreter
            // Relative files are relative to perchd's working directory, which clients do not know.
            let path = config.file.hasPrefix("/") ? config.file : FileSystem.currentDirectory() + "/" + config.file
            let outputs = summary.outputs.enumerated().map { (i, t) -> JSONValue in
                .object([("index", .integer(Int64(i))), ("shape", .array(t.shape.map { .integer(Int64($0)) }))])
            }
            return .object([("name", .string(config.name)), ("file", .string(config.file)), ("path", .string(path)),
                            ("rate", .double(config.rate)), ("outputs", .array(outputs)),
                            ("scores_output", .integer(Int64(config.scoresOutput))),
                            ("attribution_output", config.attribution.map { .integer(Int64($0.output)) } ?? .null),
                            ("inputs", .array(inputs)), ("labels", .array(runner.labels.map { .string($0) })),
                            ("audio_labels", .array(config.audioLabels.map { .string($0) })),
                            ("attribution", .array((config.attribution?.names ?? []).map { .string($0) })),
                            ("arena_bytes", .integer(Int64(summary.arenaBytes))),
                            ("macs", .integer(Int64(summary.multiplyAccumulates))),
                            ("kernel_path", .string(summary.options.kernelPath.name)),
                            ("threads", .integer(Int64(summary.threads)))])
        }))])
    }

    static func scores(labels: [String], values: [Float]) -> JSONValue {
        var members: [(String, JSONValue)] = []
        for (i, label) in labels.enumerated() where i < values.count { members.append((label, .double(Double(values[i])))) }
        return .object(members)
    }

    static func results(_ pipeline: Pipeline) -> JSONValue {
        .object([("results", .array(pipeline.results.all().map { r in
            var members: [(String, JSONValue)] = [("model", .string(r.model)),
                                                  ("inferences", .integer(Int64(r.inferences))),
                                                  ("time_ms", r.time.map { .integer($0) } ?? .null),
                                                  ("inference_us", .integer(r.inferenceMicroseconds)),
                                                  ("frames_dropped", .integer(Int64(r.droppedFrames))),
                                                  ("stale", .bool(r.stale)),
                                                  ("scores", scores(labels: r.labels, values: r.scores))]
            if let a = r.attribution { members.append(("attribution", scores(labels: a.names, values: a.values))) }
            return .object(members)
        }))])
    }

    static func outcome(_ o: InferenceOutcome, source: String) -> JSONValue {
        var members: [(String, JSONValue)] = [("model", .string(o.model)), ("source", .string(source)),
                                              ("inference_us", .integer(o.microseconds)),
                                              ("scores", scores(labels: o.labels, values: o.scores))]
        if let a = o.attribution { members.append(("attribution", scores(labels: o.attributionNames, values: a))) }
        return .object(members)
    }

    static func event(_ e: Event, instance: String) -> JSONValue {
        .object([("seq", .integer(Int64(e.seq))), ("instance", .string(instance)), ("time_ms", .integer(e.time)), ("model", .string(e.model)),
                 ("label", .string(e.label)), ("state", .string(e.state.description)), ("score", .double(Double(e.score)))])
    }

    /// The broker connection: null without `[mqtt]`.
    static func mqtt(_ s: MQTTStatus) -> JSONValue {
        .object([("broker", .string(s.broker)), ("device_id", .string(s.deviceID)), ("state", .string(s.state)),
                 ("connected", .bool(s.connected)), ("connects", .integer(Int64(s.connects))),
                 ("retries", .integer(Int64(s.retries))), ("last_error", optional(s.lastError)),
                 ("queued", .integer(Int64(s.queued))), ("inflight", .integer(Int64(s.inflight))),
                 ("messages_sent", .integer(Int64(s.messagesSent))),
                 ("events_produced", .integer(Int64(s.eventsProduced))),
                 ("events_delivered", .integer(Int64(s.eventsDelivered))),
                 ("events_dropped", .integer(Int64(s.eventsDropped))),
                 ("snapshots_dropped", .integer(Int64(s.snapshotsDropped)))])
    }
}
