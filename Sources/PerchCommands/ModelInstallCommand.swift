import PerchCommandLine
import PerchDaemonCore
import PerchHTTP
import PerchJSON
import PerchRuntime
import PerchServer
import PerchSystem

/// `perch model install NEW.tflite [--metadata FILE] [--model NAME] [--socket PATH]`: checks
/// NEW against the model perchd runs (input and output shapes, labels), moves it over the
/// running model's file in one step (rename in the same directory), and reloads perchd. The
/// old pipeline runs until the new one is built, and the event bus (and its seq) outlives
/// reloads, so no event is lost. A model the reload refuses is rolled back on disk.
enum ModelInstallCommand {
    static let usage = "Usage: perch model install NEW.tflite [--metadata metadata.json] [--model NAME] [--socket PATH]\n"

    static let options: [OptionSpec] = [
        .value("metadata", valueName: "FILE", help: "a metadata.json to install beside the model (labels, outputs)"),
        .value("model", short: "m", valueName: "NAME", help: "the [model] to replace (needed when perchd runs several)"),
        .value("socket", short: "s", valueName: "PATH", help: "the daemon's socket (default $PERCH_SOCKET or /run/perch/perchd.sock)"),
        .flag("help", short: "h", help: "show this help"),
    ]

    /// What perchd says about the running model (`GET /v1/models`).
    struct Running {
        var name = "", path = ""
        var inputs: [[Int]] = [], outputs: [[Int]] = []
        var labels: [String] = []
        var scoresOutput = 0
    }

    static func run(_ arguments: ArraySlice<String>) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments, options: options)
        } catch {
            return fail(error.description + "\n" + usage, 2)
        }
        if parsed.has("help") {
            StandardStream.output.write(usage + "\n" + optionsHelp(options))
            return 0
        }
        guard parsed.positionals.count == 1 else { return fail("expected one NEW.tflite\n" + usage, 2) }
        let file = parsed.positionals[0]
        let socket = ClientCommands.socketPath(parsed)
        do throws(UnixSocketClient.Failure) {
            return try install(file, metadataFile: parsed.value("metadata"), name: parsed.value("model"), socket: socket)
        } catch {
            return fail(socket + ": " + error.description, 1)
        }
    }

    static func fail(_ message: String, _ status: Int32) -> Int32 {
        StandardStream.error.write("perch model install: " + message + "\n")
        return status
    }

    static func install(_ file: String, metadataFile: String?, name: String?, socket: String) throws(UnixSocketClient.Failure)
        -> Int32 {
        // 1. The new model loads and Perch can run it.
        let bytes: [UInt8]
        do throws(Errno) { bytes = try Files.read(file) } catch { return fail(file + ": " + error.description, 1) }
        let interpreter: Interpreter
        do throws(ModelError) {
            interpreter = try Interpreter(modelBytes: bytes, options: ModelCommands.runtimeOptions())
        } catch {
            return fail(file + ": cannot load: " + error.description + "; nothing was installed", 1)
        }
        var metadata: ModelMetadata? = nil
        var metadataBytes: [UInt8] = []
        if let metadataFile {
            do throws(Errno) { metadataBytes = try Files.read(metadataFile) } catch {
                return fail(metadataFile + ": " + error.description, 1)
            }
            switch ModelMetadata.parse(metadataBytes, path: metadataFile) {
            case .success(let m): metadata = m
            case .failure(let problem): return fail(problem.description + "; nothing was installed", 1)
            }
        }
        // 2. It fits the running configuration.
        let running: Running
        switch try runningModel(socket: socket, name: name) {
        case .success(let r): running = r
        case .failure(let problem): return fail(problem.message, 1)
        }
        let problems = check(inputs: interpreter.inputs.map { $0.shape }, outputs: interpreter.outputs.map { $0.shape },
                             types: interpreter.outputs.map { $0.type == .int8 }, metadata: metadata, against: running,
                             file: file)
        if !problems.isEmpty {
            for p in problems { StandardStream.error.write("perch model install: " + p + "\n") }
            return fail("refused; model " + running.name + " keeps running " + running.path, 1)
        }
        // 3. Into place, the metadata first (a reload between the two renames sees the new
        // labels with the old model and fails safely, keeping the old pipeline).
        let directory = FileSystem.directoryName(running.path)
        let metadataPath = directory + "/metadata.json"
        let previousModel: [UInt8]
        do throws(Errno) { previousModel = try Files.read(running.path) } catch {
            return fail("cannot read the running model " + running.path + ": " + error.description, 1)
        }
        let previousMetadata: [UInt8]? = metadata == nil ? nil : (try? Files.read(metadataPath))
        do throws(Errno) {
            if metadata != nil { try replace(metadataPath, with: metadataBytes) }
            try replace(running.path, with: bytes)
        } catch {
            restore(running.path, previousModel, metadataPath, previousMetadata, metadataInstalled: metadata != nil)
            return fail("cannot write into " + directory + ": " + error.description + "; nothing was installed", 1)
        }
        // 4. Reload and wait for the outcome.
        switch try reload(socket: socket) {
        case .success:
            printLine("installed " + file + " as " + running.path + (metadata != nil ? " (with " + metadataPath + ")" : "")
                      + "; model " + running.name + " reloaded")
            return 0
        case .failure(let problem):
            let reason = problem.message
            restore(running.path, previousModel, metadataPath, previousMetadata, metadataInstalled: metadata != nil)
            return fail("perchd refused the new model: " + reason + "; the previous model is back in " + running.path
                        + " and keeps running", 1)
        }
    }

    /// Every way the new model does not fit the running one.
    static func check(inputs: [[Int]], outputs: [[Int]], types: [Bool], metadata: ModelMetadata?, against running: Running,
                      file: String) -> [String] {
        var problems: [String] = []
        if inputs.count != running.inputs.count {
            problems.append(file + " has " + String(inputs.count) + " inputs; model " + running.name + " has "
                            + String(running.inputs.count))
        } else {
            for i in 0..<inputs.count where inputs[i] != running.inputs[i] {
                problems.append(file + ": input " + String(i) + " is " + shapeText(inputs[i]) + "; model " + running.name
                                + "'s is " + shapeText(running.inputs[i]))
            }
        }
        let labels = metadata?.labels ?? running.labels
        let scores = metadata?.scoresOutput ?? running.scoresOutput
        if outputs.count != running.outputs.count {
            problems.append(file + " has " + String(outputs.count) + " outputs; model " + running.name + " has "
                            + String(running.outputs.count))
        } else {
            for i in 0..<outputs.count {
                if !types[i] { problems.append(file + ": output " + String(i) + " is not int8") }
                if i == scores {
                    if outputs[i].reduce(1, *) != labels.count {
                        problems.append(file + ": the scores output " + String(i) + " " + shapeText(outputs[i]) + " holds "
                                        + String(outputs[i].reduce(1, *)) + " values for " + String(labels.count) + " labels"
                                        + (metadata == nil ? " (give --metadata for a model with other labels)" : ""))
                    }
                } else if outputs[i] != running.outputs[i] {
                    problems.append(file + ": output " + String(i) + " is " + shapeText(outputs[i]) + "; model " + running.name
                                    + "'s is " + shapeText(running.outputs[i]))
                }
            }
        }
        if let metadata { problems += metadata.mismatches(inputs: inputs, outputs: outputs) }
        return problems
    }

    /// Written beside `path` and renamed over it: readers see the old file or the new, whole.
    static func replace(_ path: String, with bytes: [UInt8]) throws(Errno) {
        let temporary = path + ".install"
        do throws(Errno) {
            try Files.write(temporary, bytes)
            try FileSystem.rename(temporary, to: path)
        } catch {
            try? FileSystem.unlink(temporary)
            throw error
        }
    }

    static func restore(_ path: String, _ model: [UInt8], _ metadataPath: String, _ metadata: [UInt8]?, metadataInstalled: Bool) {
        do throws(Errno) { try replace(path, with: model) } catch {
            StandardStream.error.write("perch model install: could not put back " + path + ": " + error.description + "\n")
        }
        guard metadataInstalled else { return }
        if let metadata {
            try? replace(metadataPath, with: metadata)
        } else {
            try? FileSystem.unlink(metadataPath)
        }
    }

    static func runningModel(socket: String, name: String?) throws(UnixSocketClient.Failure) -> Result<Running, InstallProblem> {
        let client = try UnixSocketClient(path: socket)
        let response = try client.request("GET", "/v1/models")
        guard response.head.status.code == 200, let list = ClientCommands.parse(response.body)?.objectValue?["models"]?.arrayValue
        else { return .failure(InstallProblem("GET /v1/models answered " + String(response.head.status.code))) }
        let models = list.compactMap { $0.objectValue }
        let names = models.compactMap { $0["name"]?.stringValue }
        let chosen: JSONObject?
        if let name {
            chosen = models.first { $0["name"]?.stringValue == name }
            if chosen == nil { return .failure(InstallProblem("perchd runs no model " + name + "; it runs " + joined(names))) }
        } else {
            if models.count != 1 {
                let message = "perchd runs " + String(models.count) + " models (" + joined(names) + "); say which with --model"
                return .failure(InstallProblem(message))
            }
            chosen = models.first
        }
        guard let model = chosen else { return .failure(InstallProblem("no model")) }
        var r = Running()
        r.name = model["name"]?.stringValue ?? ""
        r.path = model["path"]?.stringValue ?? ""
        r.labels = (model["labels"]?.arrayValue ?? []).compactMap { $0.stringValue }
        r.scoresOutput = Int(model["scores_output"]?.int64Value ?? 0)
        r.inputs = (model["inputs"]?.arrayValue ?? []).map(shape)
        r.outputs = (model["outputs"]?.arrayValue ?? []).map(shape)
        if r.path.isEmpty || r.outputs.isEmpty { return .failure(InstallProblem("this perchd does not say where its model file is (too old?)")) }
        return .success(r)
    }

    static func shape(_ tensor: JSONValue) -> [Int] {
        (tensor.objectValue?["shape"]?.arrayValue ?? []).map { Int($0.int64Value ?? 0) }
    }

    static func joined(_ names: [String]) -> String {
        var text = ""
        for (i, n) in names.enumerated() { text += (i == 0 ? "" : ", ") + n }
        return text
    }

    /// POST /v1/reload, then `/v1/status` until `reloads` or `reload_failures` moves.
    static func reload(socket: String) throws(UnixSocketClient.Failure) -> Result<Void, InstallProblem> {
        let before = try reloadCounters(socket)
        let client = try UnixSocketClient(path: socket)
        let response = try client.request("POST", "/v1/reload")
        if response.head.status.code != 202 {
            let message = ClientCommands.parse(response.body)?.objectValue?["error"]?.objectValue?["message"]?.stringValue
            return .failure(InstallProblem("POST /v1/reload answered " + String(response.head.status.code) + (message.map { ": " + $0 } ?? "")))
        }
        let deadline = MonotonicClock.milliseconds + 60_000
        while MonotonicClock.milliseconds < deadline {
            MonotonicClock.sleep(milliseconds: 100)
            let now = try reloadCounters(socket)
            if now.failures > before.failures { return .failure(InstallProblem(now.error ?? "the reload failed")) }
            if now.reloads > before.reloads { return .success(()) }
        }
        return .failure(InstallProblem("no reload outcome within 60 s"))
    }

    static func reloadCounters(_ socket: String) throws(UnixSocketClient.Failure) -> (reloads: Int64, failures: Int64, error: String?) {
        let client = try UnixSocketClient(path: socket)
        let status = ClientCommands.parse(try client.request("GET", "/v1/status").body)?.objectValue
        return (status?["reloads"]?.int64Value ?? 0, status?["reload_failures"]?.int64Value ?? 0,
                status?["reload_error"]?.stringValue)
    }
}

/// Why the running model could not be described or the reload did not take the new one.
struct InstallProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
