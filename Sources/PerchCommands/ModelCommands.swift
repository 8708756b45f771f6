import PerchCommandLine
import PerchRuntime
import PerchRuntimeSetup
import PerchSystem

/// `perch model info|run`: local model tools, no daemon needed; `perch model install`
/// replaces the model a running perchd uses (ModelInstallCommand).
enum ModelCommands {
    static let usage = "Usage: perch model info MODEL\n"
        + "       perch model run MODEL --input FILE [--input FILE ...] --output FILE [--output FILE ...] [--threads N]\n"
        + "       perch model install NEW.tflite [--metadata metadata.json] [--model NAME] [--socket PATH]\n"

    static func run(_ arguments: [String]) -> Int32 {
        guard let sub = arguments.first else {
            StandardStream.error.write(usage)
            return 2
        }
        let rest = arguments.dropFirst()
        switch sub {
        case "info": return info(rest)
        case "run": return runModel(rest)
        case "install": return ModelInstallCommand.run(rest)
        case "--help", "-h", "help":
            StandardStream.output.write(usage)
            return 0
        default:
            return fail("unknown model command '" + sub + "'\n" + usage, status: 2)
        }
    }

    // MARK: info

    static func info(_ arguments: ArraySlice<String>) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments, options: [.flag("help", short: "h", help: "")])
        } catch {
            return fail(error.description, status: 2)
        }
        if parsed.has("help") { StandardStream.output.write(usage); return 0 }
        guard parsed.positionals.count == 1 else {
            return fail(parsed.positionals.isEmpty ? "missing MODEL" : "expected one MODEL", status: 2)
        }
        let path = parsed.positionals[0]
        // Describe the model even when Perch cannot run it; say why it cannot.
        guard let bytes = readModel(path) else { return 1 }
        let model: LoadedModel
        do throws(ModelError) { model = try LoadedModel(modelBytes: bytes) } catch {
            return fail("cannot load model '" + path + "': " + error.description, status: 1)
        }
        StandardStream.output.write(describe(model.summary, path: path))
        let options = runtimeOptions()
        do throws(ModelError) { _ = try Interpreter(model: model, options: options) } catch {
            printLine("runnable: no: " + error.description)
            return 1
        }
        printLine("runnable: yes")
        printLine("kernel path: " + options.kernelPath.name)
        return 0
    }

    static func describe(_ s: ModelSummary, path: String) -> String {
        var text = "model: " + path + "\n"
        text += "size: " + String(s.modelBytes) + " bytes (" + String(s.constantBytes) + " bytes of constants)\n"
        text += "schema version: " + String(s.schemaVersion)
        if let d = s.modelDescription, !d.isEmpty { text += ", description: " + d }
        text += "\n"
        text += "tensors: " + String(s.tensorCount) + ", operators: " + String(s.operatorCount)
            + ", subgraphs: " + String(s.subgraphCount) + "\n"
        text += "inputs:\n"
        for (i, t) in s.inputs.enumerated() { text += "  " + String(i) + ": " + describe(t) + "\n" }
        text += "outputs:\n"
        for (i, t) in s.outputs.enumerated() { text += "  " + String(i) + ": " + describe(t) + "\n" }
        text += "operators:\n"
        for entry in s.operatorCounts { text += "  " + entry.name + " x" + String(entry.count) + "\n" }
        text += "arena: " + String(s.arenaBytes) + " bytes\n"
        text += "multiply-accumulates per inference: " + String(s.multiplyAccumulates) + "\n"
        return text
    }

    static func describe(_ t: TensorSummary) -> String {
        var text = (t.name.isEmpty ? "(unnamed)" : t.name) + " " + t.type.name + " " + t.shapeDescription
            + " (" + String(t.byteCount) + " bytes)"
        if let scale = t.scale, let zp = t.zeroPoint {
            text += " scale " + String(scale) + " zero point " + String(zp)
        } else if !t.scales.isEmpty {
            text += " per-channel (" + String(t.scales.count) + " scales, axis " + String(t.quantizedDimension) + ")"
        }
        return text
    }

    // MARK: run

    static func runModel(_ arguments: ArraySlice<String>) -> Int32 {
        let options: [OptionSpec] = [
            .value("input", short: "i", valueName: "FILE", help: "raw little-endian tensor for the next input"),
            .value("output", short: "o", valueName: "FILE", help: "where to write the next output"),
            .value("threads", valueName: "N", help: "threads for the inference (default 1)"),
            .flag("help", short: "h", help: ""),
        ]
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments, options: options)
        } catch {
            return fail(error.description, status: 2)
        }
        if parsed.has("help") { StandardStream.output.write(usage); return 0 }
        guard parsed.positionals.count == 1 else {
            return fail(parsed.positionals.isEmpty ? "missing MODEL" : "expected one MODEL", status: 2)
        }
        var threads = 1
        if let text = parsed.value("threads") {
            guard let n = Int(text), n >= 1, n <= 64 else { return fail("--threads takes 1...64, not '" + text + "'", status: 2) }
            threads = n
        }
        guard let interpreter = load(parsed.positionals[0], threads: threads) else { return 1 }
        let inputFiles = parsed.allValues("input"), outputFiles = parsed.allValues("output")
        let summary = interpreter.summary
        guard inputFiles.count == summary.inputs.count else {
            return fail("the model has " + String(summary.inputs.count) + " input(s); got "
                        + String(inputFiles.count) + " --input", status: 2)
        }
        guard !outputFiles.isEmpty, outputFiles.count <= summary.outputs.count else {
            return fail("the model has " + String(summary.outputs.count) + " output(s); got "
                        + String(outputFiles.count) + " --output", status: 2)
        }
        for (i, file) in inputFiles.enumerated() {
            let bytes: [UInt8]
            do throws(Errno) { bytes = try Files.read(file) } catch {
                return fail("cannot read input " + String(i) + " '" + file + "': " + error.description, status: 1)
            }
            let destination = interpreter.input(i)
            guard bytes.count == destination.count else {
                let t = summary.inputs[i]
                return fail("input " + String(i) + " '" + file + "' has " + String(bytes.count)
                            + " bytes; the model wants " + String(destination.count) + " (" + t.type.name + " "
                            + t.shapeDescription + ")", status: 1)
            }
            bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
        interpreter.invoke()
        for (i, file) in outputFiles.enumerated() {
            let bytes = [UInt8](UnsafeRawBufferPointer(interpreter.output(i)))
            do throws(Errno) { try Files.write(file, bytes) } catch {
                return fail("cannot write output " + String(i) + " '" + file + "': " + error.description, status: 1)
            }
        }
        return 0
    }

    // MARK: helpers

    /// Reads and prepares a model, printing what went wrong.
    static func load(_ path: String, threads: Int = 1) -> Interpreter? {
        guard let bytes = readModel(path) else { return nil }
        do throws(ModelError) {
            return try Interpreter(modelBytes: bytes, options: runtimeOptions(threads: threads))
        } catch {
            _ = fail("cannot load model '" + path + "': " + error.description, status: 1)
            return nil
        }
    }

    /// The CPU's best kernel path (or PERCH_KERNEL_PATH's); an unusable override is reported
    /// and the detected path used.
    static func runtimeOptions(threads: Int = 1) -> RuntimeOptions {
        switch RuntimeEnvironment.options(threads: threads) {
        case .success(let o): return o
        case .failure(let e):
            StandardStream.error.write("perch: PERCH_KERNEL_PATH: " + e.description + "\n")
            return RuntimeSetup.options(kernelPath: RuntimeEnvironment.detectedKernelPath, threads: threads)
        }
    }

    static func readModel(_ path: String) -> [UInt8]? {
        do throws(Errno) { return try Files.read(path) } catch {
            _ = fail("cannot read model '" + path + "': " + error.description, status: 1)
            return nil
        }
    }

    static func fail(_ message: String, status: Int32) -> Int32 {
        StandardStream.error.write("perch model: " + message + "\n")
        return status
    }
}
