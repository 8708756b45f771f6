import PerchCommandLine
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// `perch status | models | results | watch | infer | reload | metrics`: the daemon's socket
/// API from the command line. Human-readable by default; `--json` prints the API's JSON.
enum ClientCommands {
    static let commands = ["status", "models", "results", "watch", "infer", "reload", "metrics", "record"]

    static let options: [OptionSpec] = [
        .flag("json", help: "print the API's JSON (NDJSON lines for watch)"),
        .value("socket", short: "s", valueName: "PATH", help: "the daemon's socket (default $PERCH_SOCKET or /run/perch/perchd.sock)"),
        .value("model", short: "m", valueName: "NAME", help: "infer: the model to run"),
        .value("since", valueName: "SEQ", help: "watch: replay events after SEQ first"),
        .value("instance", valueName: "ID", help: "watch: the daemon instance SEQ came from (a restarted daemon answers with a reset)"),
        .flag("follow", short: "f", help: "watch: reconnect whenever the stream drops, without losing or repeating events"),
        .value("label", valueName: "LABEL", help: "record: the label of the recorded windows (none: unlabelled)"),
        .value("seconds", valueName: "N", help: "record: 1 s windows to record from now (1-30, default 1)"),
        .flag("help", short: "h", help: "show this help"),
    ]

    static var helpText: String {
        "Usage: perch status|models|results|watch|reload|metrics [--json] [--socket PATH]\n"
            + "       perch infer FILE --model NAME [--json] [--socket PATH]\n"
            + "       perch record [--label LABEL] [--seconds N] [--json] [--socket PATH]\n\n"
            + "  status    daemon version, uptime, sources, models, counters\n"
            + "  models    loaded models: inputs, labels\n"
            + "  results   the latest scores of every model\n"
            + "  watch     events as they happen, one line each (--follow: across reconnects and restarts)\n"
            + "  infer     run a model on an image (BMP/PPM) or WAV file\n"
            + "  reload    ask the daemon to reload its configuration\n"
            + "  record    save the camera frame and audio from now into [record]'s dataset directory\n"
            + "  metrics   Prometheus metrics\n\n" + optionsHelp(options)
    }

    static func socketPath(_ parsed: ParsedArguments) -> String {
        if let path = parsed.value("socket") { return path }
        if let path = Environment.value("PERCH_SOCKET"), !path.isEmpty { return path }
        return "/run/perch/perchd.sock"
    }

    static func run(_ command: String, _ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments[...], options: options)
        } catch {
            StandardStream.error.write("perch " + command + ": " + error.description + "\n")
            return 2
        }
        if parsed.has("help") {
            StandardStream.output.write(helpText)
            return 0
        }
        let socket = socketPath(parsed)
        let json = parsed.has("json")
        do throws(UnixSocketClient.Failure) {
            switch command {
            case "watch":
                return WatchCommand.run(socket: socket, since: parsed.value("since"), instance: parsed.value("instance"),
                                        follow: parsed.has("follow"), json: json)
            case "infer":
                guard let file = parsed.positionals.first else {
                    StandardStream.error.write("perch infer: which file? perch infer FILE --model NAME\n")
                    return 2
                }
                return try infer(socket: socket, file: file, model: parsed.value("model"), json: json)
            case "record":
                return try RecordCommand.run(socket: socket, label: parsed.value("label"), seconds: parsed.value("seconds"),
                                             json: json)
            case "reload": return try simple(socket: socket, method: "POST", target: "/v1/reload", json: json, render: renderReload)
            case "metrics": return try simple(socket: socket, method: "GET", target: "/v1/metrics", json: true) { _ in "" }
            case "models": return try simple(socket: socket, method: "GET", target: "/v1/models", json: json, render: ClientRender.models)
            case "results": return try simple(socket: socket, method: "GET", target: "/v1/results/latest", json: json, render: ClientRender.results)
            default: return try simple(socket: socket, method: "GET", target: "/v1/status", json: json, render: ClientRender.status)
            }
        } catch {
            StandardStream.error.write("perch " + command + ": " + error.description + "\n")
            return 1
        }
    }

    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONParser(parseDouble: parseDouble).parse(bytes)
    }

    /// Prints the body (raw with --json, rendered otherwise); an error status prints the
    /// API's message and returns 1.
    static func simple(socket: String, method: String, target: String, json: Bool,
                       render: (JSONValue) -> String) throws(UnixSocketClient.Failure) -> Int32 {
        let client = try UnixSocketClient(path: socket)
        let response = try client.request(method, target)
        return output(response.head.status.code, response.body, json: json, render: render)
    }

    static func output(_ code: Int, _ body: [UInt8], json: Bool, render: (JSONValue) -> String) -> Int32 {
        let value = parse(body)
        if code >= 400 || value?.objectValue?["error"] != nil {
            let message = value?.objectValue?["error"]?.objectValue?["message"]?.stringValue
                ?? String(decoding: body, as: UTF8.self)
            StandardStream.error.write("perch: " + String(code) + ": " + message + "\n")
            return 1
        }
        if json || value == nil {
            body.withUnsafeBytes { StandardStream.output.write(bytes: $0) }
        } else if let value {
            StandardStream.output.write(render(value))
        }
        return 0
    }

    static func renderReload(_ value: JSONValue) -> String {
        "reload requested; check 'perch status' for the result\n"
    }

    static func infer(socket: String, file: String, model: String?, json: Bool) throws(UnixSocketClient.Failure) -> Int32 {
        let bytes: [UInt8]
        do throws(Errno) { bytes = try Files.read(file) } catch {
            StandardStream.error.write("perch infer: " + file + ": " + error.description + "\n")
            return 1
        }
        let type = bytes.starts(with: Array("RIFF".utf8)) ? "audio/wav"
            : bytes.starts(with: Array("BM".utf8)) ? "image/bmp" : "image/x-portable-pixmap"
        var target = "/v1/infer"
        if let model { target += "?model=" + model }
        let client = try UnixSocketClient(path: socket, timeoutMilliseconds: 60_000)
        let response = try client.request("POST", target, headers: HTTPHeaders([("Content-Type", type)]), body: bytes)
        return output(response.head.status.code, response.body, json: json, render: ClientRender.outcome)
    }
}
