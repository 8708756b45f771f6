import PerchCommandLine
import PerchDevices
import PerchSystem

/// `perch device gpio CHIP`: drive output lines (`--set 3=1`, `--pulse 5`) and/or watch an
/// input line for edges (`--watch 6 --edges 2`). Lines are released when the command ends.
enum DeviceGpioCommand {
    static let options: [OptionSpec] = [
        .value("set", valueName: "LINE=0|1", help: "drive an output line (repeatable)"),
        .value("pulse", valueName: "LINE", help: "pulse an output line active for --pulse-ms"),
        .value("pulse-ms", valueName: "MS", help: "pulse length (default 100)"),
        .flag("active-low", help: "lines are active-low (1 drives the pin low)"),
        .value("hold-ms", valueName: "MS", help: "keep outputs requested this long before releasing (default 0)"),
        .value("watch", valueName: "LINE", help: "request LINE as an input and print its edges"),
        .value("bias", valueName: "BIAS", help: "input bias: pull-up, pull-down, disable (default as is)"),
        .value("edges", valueName: "N", help: "stop watching after N edges (default 1)"),
        .value("timeout-ms", valueName: "MS", help: "stop watching after this long (default 5000)"),
    ]

    static func run(_ arguments: [String]) -> Int32 {
        var status: Int32 = 0
        guard let parsed = DeviceCommands.parse("gpio", arguments, options: options, usage: "CHIP [OPTIONS]",
                                                positionals: 1, status: &status) else { return status }
        var sets: [(line: Int, value: Bool)] = []
        let pulseMs: Int, holdMs: Int, edgesWanted: Int, timeoutMs: Int
        var bias = GpioBias.asIs
        do throws(UsageError) {
            for assignment in parsed.allValues("set") {
                guard let equals = assignment.firstIndex(of: "="),
                      let line = Int(assignment[..<equals]),
                      let value = Int(assignment[assignment.index(after: equals)...]), value == 0 || value == 1 else {
                    throw .invalidValue(option: "set", value: assignment, expected: "LINE=0 or LINE=1")
                }
                sets.append((line, value == 1))
            }
            pulseMs = try DeviceCommands.integer(parsed, "pulse-ms", default: 100)
            holdMs = try DeviceCommands.integer(parsed, "hold-ms", default: 0)
            edgesWanted = try DeviceCommands.integer(parsed, "edges", default: 1, minimum: 1)
            timeoutMs = try DeviceCommands.integer(parsed, "timeout-ms", default: 5_000, minimum: 1)
            switch parsed.value("bias") {
            case nil: break
            case "pull-up": bias = .pullUp
            case "pull-down": bias = .pullDown
            case "disable": bias = .disabled
            case let other?: throw .invalidValue(option: "bias", value: other, expected: "pull-up, pull-down or disable")
            }
        } catch {
            StandardStream.error.write("perch device gpio: " + error.description + "\n")
            return 2
        }
        let activeLow = parsed.has("active-low")
        do throws(DeviceError) {
            let chip = try GpioChip(parsed.positionals[0])
            defer { chip.close() }
            printLine("chip " + chip.name + " label '" + chip.label + "' lines " + String(chip.lineCount))
            var outputs: [GpioOutput] = []
            for (line, value) in sets {
                let output = try chip.output(line, activeLow: activeLow, initial: value)
                outputs.append(output)
                printLine("set line " + String(line) + " = " + (value ? "1" : "0") + (activeLow ? " (active-low)" : ""))
            }
            if let text = parsed.value("pulse"), let line = Int(text) {
                let output = try chip.output(line, activeLow: activeLow, initial: false)
                try output.pulse(milliseconds: pulseMs)
                printLine("pulse line " + String(line) + " " + String(pulseMs) + " ms")
                outputs.append(output)
            }
            if holdMs > 0 {
                printLine("holding " + String(holdMs) + " ms")
                MonotonicClock.sleep(milliseconds: holdMs)
            }
            var ok = true
            if let text = parsed.value("watch"), let line = Int(text) {
                ok = try watch(chip, line: line, activeLow: activeLow, bias: bias, edges: edgesWanted, timeoutMs: timeoutMs)
            }
            for output in outputs { output.release() }
            printLine("released")
            return ok ? 0 : 1
        } catch {
            printLine("gpio: " + error.description)
            return 1
        }
    }

    /// Prints each edge on `line` until `edges` came or `timeoutMs` passed.
    static func watch(_ chip: GpioChip, line: Int, activeLow: Bool, bias: GpioBias, edges: Int,
                      timeoutMs: Int) throws(DeviceError) -> Bool {
        let input = try chip.input(line, activeLow: activeLow, bias: bias)
        defer { input.release() }
        printLine("watching line " + String(line) + " value " + (try input.value() ? "1" : "0"))
        let deadline = MonotonicClock.milliseconds + Int64(timeoutMs)
        var seen = 0
        while seen < edges {
            let left = Int(deadline - MonotonicClock.milliseconds)
            guard left > 0, let edge = try input.waitForEdge(timeoutMs: left) else { break }
            seen += 1
            printLine("edge line " + String(line) + " " + (edge.rising ? "rising" : "falling")
                      + " ts_us=" + String(edge.timestampNs / 1_000))
        }
        printLine("gpio summary: edges=" + String(seen) + "/" + String(edges))
        return seen >= edges
    }
}
