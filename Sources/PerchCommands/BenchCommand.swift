import PerchCommandLine
import PerchRuntime
import PerchSystem

/// `perch bench MODEL`: latency of one inference (median over runs), time per operator,
/// and multiply-accumulate throughput. `--json` prints one object for scripts
/// (tools/bench/compare.py reads `median_ms`). `perch bench --kernel gemm` times the GEMM
/// micro-kernel alone (instruction counts per MAC under QEMU: tools/bench/insncount.sh).
enum BenchCommand {
    static let usage = "Usage: perch bench MODEL [--runs N | --batches N] [--batch B] [--threads N] [--json] [--operator I] [--kernel-path widening|sdot|vnni]\n"
        + "       perch bench --kernel gemm [--m M --n N --k K] [--runs N] [--kernel-path …]\n"

    static let options: [OptionSpec] = [
        .value("runs", valueName: "N", help: "timed inferences (default: as many as fit in ~1 s, at least 20)"),
        .value("batch", valueName: "B", help: "inferences per clock reading (default: as many as take ~1 ms, at most --runs)"),
        .value("batches", valueName: "N", help: "timed batches (instead of --runs: N × B inferences)"),
        .value("batch-ms", valueName: "MS", help: "target duration of one batch for the default --batch (default 1)"),
        .value("threads", valueName: "N", help: "threads for one inference (default 1; large layers are split over them)"),
        .flag("json", help: "print one JSON object"),
        .flag("no-operators", help: "skip the per-operator pass"),
        .value("kernel-path", valueName: "PATH", help: "force a micro-kernel family (default: the CPU's best)"),
        .value("kernel", valueName: "NAME", help: "benchmark a micro-kernel alone instead of a model: gemm"),
        .value("m", valueName: "M", help: "gemm: rows (pixels), default 64"),
        .value("n", valueName: "N", help: "gemm: output channels, default 64"),
        .value("k", valueName: "K", help: "gemm: depth, default 256"),
        .flag("full-range-weights", help: "gemm: weights may be -128 (default: symmetric -127...127)"),
        .value("warmup", valueName: "N", help: "untimed runs first (default 3)"),
        .value("operator", valueName: "I", help: "time operator I alone (after one full inference)"),
        .flag("help", short: "h", help: "show this help"),
    ]

    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments[...], options: options)
        } catch {
            return fail(error.description + "\n" + usage, status: 2)
        }
        if parsed.has("help") {
            StandardStream.output.write(usage + "\n" + optionsHelp(options))
            return 0
        }
        guard let threads = positiveInt(parsed.value("threads") ?? "1"), threads <= 64,
              let warmup = Int(parsed.value("warmup") ?? "3"), warmup >= 0 else {
            return fail("--threads takes 1...64 and --warmup a number", status: 2)
        }
        let runtimeOptions: RuntimeOptions
        switch RuntimeEnvironment.options(override: parsed.value("kernel-path"), threads: threads) {
        case .success(let o): runtimeOptions = o
        case .failure(let e): return fail(e.description, status: 2)
        }
        var runs: Int? = nil
        if let r = parsed.value("runs") {
            guard let n = positiveInt(r) else { return fail("--runs takes a positive number", status: 2) }
            runs = n
        }
        if let kernel = parsed.value("kernel") {
            guard kernel == "gemm" else { return fail("unknown --kernel '" + kernel + "' (gemm)", status: 2) }
            guard let m = positiveInt(parsed.value("m") ?? "64"), let n = positiveInt(parsed.value("n") ?? "64"),
                  let k = positiveInt(parsed.value("k") ?? "256") else {
                return fail("--m, --n and --k take positive numbers", status: 2)
            }
            return gemm(m: m, n: n, k: k, runs: runs ?? 1000, path: runtimeOptions.kernelPath, json: parsed.has("json"),
                        fullRange: parsed.has("full-range-weights"))
        }
        guard parsed.positionals.count == 1 else {
            return fail(parsed.positionals.isEmpty ? "missing MODEL" : "expected one MODEL", status: 2)
        }
        let path = parsed.positionals[0]
        let bytes: [UInt8]
        do throws(Errno) { bytes = try Files.read(path) } catch {
            return fail("cannot read model '" + path + "': " + error.description, status: 1)
        }
        let interpreter: Interpreter
        do throws(ModelError) { interpreter = try Interpreter(modelBytes: bytes, options: runtimeOptions) } catch {
            return fail("cannot load model '" + path + "': " + error.description, status: 1)
        }
        fillInputs(interpreter)
        if let text = parsed.value("operator") {
            guard let op = Int(text), op >= 0, op < interpreter.operatorCount else {
                return fail("--operator takes 0..<" + String(interpreter.operatorCount), status: 2)
            }
            interpreter.invoke()
            let count = runs ?? 1000
            var times = [Int64](repeating: 0, count: count)
            for i in 0..<count {
                let start = MonotonicClock.nanoseconds
                interpreter.invokeOperator(op)
                times[i] = MonotonicClock.nanoseconds - start
            }
            times.sort()
            let median = Double(times[count / 2]) / 1e6
            let macs = interpreter.operatorMultiplyAccumulates(op)
            printLine((parsed.has("json") ? "{\"operator\": " + String(op) + ", \"op\": " + jsonString(interpreter.operatorName(op))
                       + ", \"median_ms\": " + fixed(median, 6) + ", \"macs\": " + String(macs) + "}"
                       : "operator " + String(op) + " " + interpreter.operatorName(op) + ": median " + fixed(median, 4)
                       + " ms, " + String(macs) + " MACs"))
            return 0
        }
        for _ in 0..<warmup { interpreter.invoke() }
        let timing: BenchTiming
        switch batchPlan(parsed, runs: runs, { interpreter.invoke() }) {
        case .success(let t): timing = t
        case .failure(let e): return fail(e.message, status: 2)
        }
        let perCall = timing.run { interpreter.invoke() }
        let count = timing.batch * timing.batches
        let median = perCall[perCall.count / 2] / 1e6
        let minimum = perCall[0] / 1e6

        // Per operator: a second pass through the timing hook, median of each operator.
        let ops = interpreter.operatorCount
        var perOperator = [Double](repeating: 0, count: ops)
        if !parsed.has("no-operators") {
            let opRuns = max(5, min(count, 2000))
            var samples = [[Int64]](repeating: [Int64](repeating: 0, count: opRuns), count: ops)
            let slot = UnsafeMutablePointer<Int64>.allocate(capacity: max(ops, 1))
            defer { slot.deallocate() }
            for r in 0..<opRuns {
                slot.initialize(repeating: 0, count: max(ops, 1))
                interpreter.invoke(timedBy: { MonotonicClock.nanoseconds }, into: slot)
                for i in 0..<ops { samples[i][r] = slot[i] }
            }
            for i in 0..<ops {
                samples[i].sort()
                perOperator[i] = Double(samples[i][opRuns / 2]) / 1e6
            }
        }
        let macs = interpreter.multiplyAccumulates
        let gmacs = median > 0 ? Double(macs) / (median * 1e6) : 0
        if parsed.has("json") {
            var text = "{\"model\": " + jsonString(path) + ", \"median_ms\": " + fixed(median, 6)
                + ", \"min_ms\": " + fixed(minimum, 6) + ", \"runs\": " + String(count)
                + ", \"batch\": " + String(timing.batch) + ", \"batches\": " + String(timing.batches)
                + ", \"threads\": " + String(interpreter.threads)
                + ", \"split_operators\": " + String(interpreter.splitOperatorCount) + ", \"macs\": " + String(macs) + ", \"gmacs_per_s\": " + fixed(gmacs, 3)
                + ", \"kernel_path\": " + jsonString(runtimeOptions.kernelPath.name)
                + ", \"build\": " + jsonString(PerchVersion.architecture + " " + PerchVersion.buildMode)
                + ", \"operators\": ["
            for i in 0..<ops {
                if i > 0 { text += ", " }
                text += "{\"index\": " + String(i) + ", \"op\": " + jsonString(interpreter.operatorName(i))
                    + ", \"median_ms\": " + fixed(perOperator[i], 6)
                    + ", \"macs\": " + String(interpreter.operatorMultiplyAccumulates(i)) + "}"
            }
            printLine(text + "]}")
            return 0
        }
        printLine("model: " + path)
        printLine("kernel path: " + runtimeOptions.kernelPath.name + " (" + PerchVersion.architecture + ", "
                  + PerchVersion.buildMode + "), threads: " + String(interpreter.threads)
                  + (interpreter.threads > 1 ? " (" + String(interpreter.splitOperatorCount) + " of "
                     + String(interpreter.operatorCount) + " operators split)" : ""))
        printLine("runs: " + String(count) + " in " + String(timing.batches) + " batches of " + String(timing.batch)
                  + ", median " + fixed(median, 6) + " ms, min " + fixed(minimum, 6) + " ms")
        printLine("multiply-accumulates: " + String(macs) + ", " + fixed(gmacs, 2) + " GMAC/s")
        if !parsed.has("no-operators") {
            // By operator type, then each operator.
            var names: [String] = []
            var totals: [Double] = []
            var typeMacs: [Int] = []
            for i in 0..<ops {
                let name = interpreter.operatorName(i)
                if let j = names.firstIndex(of: name) {
                    totals[j] += perOperator[i]; typeMacs[j] += interpreter.operatorMultiplyAccumulates(i)
                } else {
                    names.append(name); totals.append(perOperator[i])
                    typeMacs.append(interpreter.operatorMultiplyAccumulates(i))
                }
            }
            let sum = max(totals.reduce(0, +), 1e-12)
            printLine("by operator type (sum of per-operator medians " + fixed(sum, 4) + " ms):")
            for j in 0..<names.count {
                var line = "  " + pad(names[j], 20) + pad(fixed(totals[j], 4) + " ms", 14)
                    + pad(fixed(100 * totals[j] / sum, 1) + "%", 8)
                if typeMacs[j] > 0 && totals[j] > 0 {
                    line += fixed(Double(typeMacs[j]) / (totals[j] * 1e6), 2) + " GMAC/s"
                }
                printLine(line)
            }
            printLine("by operator:")
            for i in 0..<ops {
                let m = interpreter.operatorMultiplyAccumulates(i)
                var line = "  " + pad(String(i), 4) + pad(interpreter.operatorName(i), 20)
                    + pad(fixed(perOperator[i], 4) + " ms", 14)
                if m > 0 && perOperator[i] > 0 {
                    line += pad(String(m) + " MACs", 16) + fixed(Double(m) / (perOperator[i] * 1e6), 2) + " GMAC/s"
                }
                printLine(line)
            }
        }
        return 0
    }

    struct PlanError: Error { let message: String }

    /// Batch size and count from --runs / --batches / --batch / --batch-ms. The batch size is
    /// measured (nanosecondsPerCall) only when not given; with --runs and --batch nothing runs
    /// here, so instruction counts under QEMU stay deterministic (tools/bench/insncount.sh).
    static func batchPlan(_ parsed: ParsedArguments, runs: Int?, _ body: () -> Void) -> Result<BenchTiming, PlanError> {
        var batch: Int? = nil
        if let text = parsed.value("batch") {
            guard let b = positiveInt(text) else { return .failure(PlanError(message: "--batch takes a positive number")) }
            batch = b
        }
        var batches: Int? = nil
        if let text = parsed.value("batches") {
            guard let n = positiveInt(text) else { return .failure(PlanError(message: "--batches takes a positive number")) }
            guard runs == nil else { return .failure(PlanError(message: "give --runs or --batches, not both")) }
            batches = n
        }
        var target = BenchTiming.defaultBatchNanoseconds
        if let text = parsed.value("batch-ms") {
            guard let ms = parseDouble(text), ms > 0, ms <= 10_000 else {
                return .failure(PlanError(message: "--batch-ms takes milliseconds (0 < MS ≤ 10000)"))
            }
            target = Int64(ms * 1e6)
        }
        var perCall: Double? = nil
        if batch == nil || (runs == nil && batches == nil) {
            perCall = BenchTiming.nanosecondsPerCall(body)
        }
        var size = batch ?? BenchTiming.batchSize(perCall: perCall ?? 1, target: target)
        if let batches { return .success(BenchTiming(batch: size, batches: batches)) }
        // Enough inferences for about a second unless told, at least 20.
        let total = runs ?? min(10_000_000, max(20, Int(1e9 / (perCall ?? 1))))
        size = min(size, total)
        return .success(BenchTiming(batch: size, batches: max(1, total / size)))
    }

    /// Deterministic pseudo-random bytes in every input (xorshift).
    static func fillInputs(_ interpreter: Interpreter) {
        var state: UInt32 = 0x9E37_79B9
        for i in 0..<interpreter.inputs.count {
            let buffer = interpreter.input(i)
            for j in 0..<buffer.count {
                state ^= state << 13; state ^= state >> 17; state ^= state << 5
                buffer[j] = UInt8(truncatingIfNeeded: state >> 8)
            }
        }
    }

    /// The GEMM micro-kernel alone: M×K activations against N×K packed weights, `runs` times.
    static func gemm(m: Int, n: Int, k: Int, runs: Int, path: KernelPath, json: Bool, fullRange: Bool) -> Int32 {
        let bench = GemmBenchmark(m: m, n: n, k: k, path: path, fullRangeWeights: fullRange)
        bench.run()
        let start = MonotonicClock.nanoseconds
        for _ in 0..<runs { bench.run() }
        let seconds = Double(MonotonicClock.nanoseconds - start) / 1e9
        let macs = Double(m * n * k) * Double(runs)
        if json {
            printLine("{\"kernel\": \"gemm\", \"m\": " + String(m) + ", \"n\": " + String(n) + ", \"k\": " + String(k)
                      + ", \"runs\": " + String(runs) + ", \"kernel_path\": " + jsonString(path.name)
                      + ", \"ms_per_run\": " + fixed(seconds * 1e3 / Double(runs), 6)
                      + ", \"gmacs_per_s\": " + fixed(macs / seconds / 1e9, 3) + ", \"checksum\": "
                      + String(bench.checksum) + "}")
        } else {
            printLine("gemm " + String(m) + "x" + String(n) + "x" + String(k) + " (" + path.name + "), "
                      + String(runs) + " runs: " + fixed(seconds * 1e3 / Double(runs), 4) + " ms/run, "
                      + fixed(macs / seconds / 1e9, 2) + " GMAC/s, checksum " + String(bench.checksum))
        }
        return 0
    }

    static func positiveInt(_ s: String) -> Int? {
        guard let v = Int(s), v > 0 else { return nil }
        return v
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.utf8.count >= width ? s + " " : s + String(repeating: " ", count: width - s.utf8.count)
    }

    /// `value` with `digits` decimals, without Foundation.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let negative = value < 0
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        while fraction.utf8.count < digits { fraction = "0" + fraction }
        return (negative ? "-" : "") + String(whole) + (digits > 0 ? "." + fraction : "")
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 { out += "?" } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    static func fail(_ message: String, status: Int32) -> Int32 {
        StandardStream.error.write("perch bench: " + message + "\n")
        return status
    }
}
