import PerchDaemonCore
import PerchDevices
import PerchSystem

/// One command for an output line's worker thread.
struct GpioCommand: Sendable {
    /// Level to set, or nil for a pulse.
    var level: Bool?
    var pulseMilliseconds: Int = 0
}

/// An `[action]`: an output line driven from a rule's events. Commands go through a queue
/// to the line's own thread, so publishing an event never waits for GPIO (or a pulse). A
/// line that could not be requested at start is retried by that thread (`GpioRetry`); once
/// held it takes the level the rule asks for by then.
final class GpioActionWorker: @unchecked Sendable {
    let config: ActionConfig
    /// Touched only by the worker thread once it runs (and by stopAndRelease after the join).
    private var output: GpioOutput?
    private var retry: GpioRetry?
    let commands = BoundedQueue<GpioCommand>(capacity: 16)
    private var thread: Thread? = nil

    init(config: ActionConfig, output: GpioOutput) {
        self.config = config
        self.output = output
    }

    init(config: ActionConfig, retry: GpioRetry) {
        self.config = config
        self.retry = retry
    }

    func start() throws(Errno) {
        let worker = self
        thread = try Thread.spawn { worker.run() }
    }

    /// Called from the publishing thread: never blocks.
    func handle(_ event: Event) {
        guard event.model + "." + event.label == config.rule else { return }
        switch config.behaviour {
        case .level:
            _ = commands.push(GpioCommand(level: event.state == .start))
        case .pulse(let ms):
            if event.state == .start { _ = commands.push(GpioCommand(level: nil, pulseMilliseconds: Int(ms))) }
        }
    }

    private func run() {
        var level = false  // what the rule asks for: applied when a missing line appears
        while true {
            let wait = output == nil ? (retry?.waitMilliseconds ?? 1_000_000) : 1_000_000
            let command = commands.pop(timeoutMilliseconds: wait)
            if command == nil && commands.isClosed { return }
            if output == nil, let line = retry?.attempt({ (chip: GpioChip) throws(DeviceError) -> GpioOutput in
                try chip.output(self.config.gpio.line, activeLow: self.config.activeLow, initial: level)
            }) {
                output = line
                retry = nil
            }
            guard let command else { continue }
            if let l = command.level { level = l }
            guard let output else { continue }  // a pulse while the line is missing is lost
            do throws(DeviceError) {
                if let level = command.level { try output.set(level) } else { try output.pulse(milliseconds: command.pulseMilliseconds) }
            } catch {
                Log.error("action " + config.name + ": " + error.description)
            }
        }
    }

    /// Ends the thread, then leaves the line inactive (its safe state) and releases it.
    func stopAndRelease() {
        commands.close()
        thread?.join()
        thread = nil
        guard let output else { return }
        do throws(DeviceError) { try output.set(false) } catch { Log.warning("action " + config.name + ": " + error.description) }
        output.release()
    }
}

/// A `[gpio-input]`: a thread waiting for edges; trigger inputs run a model now, event
/// inputs raise events through the rule engine. A line that could not be requested at start
/// is retried by the same thread (`GpioRetry`).
final class GpioInputWorker: @unchecked Sendable {
    let config: GpioInputConfig
    /// Touched only by the worker thread once it runs (and by join after it ends).
    private var input: GpioInput?
    private var retry: GpioRetry?
    let rules: RuleEngine
    let trigger: ModelRunner?
    let stop: StopFlag
    private var thread: Thread? = nil

    init(config: GpioInputConfig, input: GpioInput, rules: RuleEngine, trigger: ModelRunner?, stop: StopFlag) {
        self.config = config
        self.input = input
        self.rules = rules
        self.trigger = trigger
        self.stop = stop
    }

    init(config: GpioInputConfig, retry: GpioRetry, rules: RuleEngine, trigger: ModelRunner?, stop: StopFlag) {
        self.config = config
        self.retry = retry
        self.rules = rules
        self.trigger = trigger
        self.stop = stop
    }

    func start() throws(Errno) {
        let worker = self
        thread = try Thread.spawn { worker.run() }
    }

    func join() {
        thread?.join()
        thread = nil
        input?.release()
    }

    private func wanted(_ edge: GpioEdge) -> Bool {
        switch config.edge {
        case .rising: return edge.rising
        case .falling: return !edge.rising
        case .both: return true
        }
    }

    private func run() {
        var lastNs: Int64 = 0
        while !stop.isSet {
            guard let input else {
                if stop.sleep(milliseconds: Int64(min(retry?.waitMilliseconds ?? 1_000, 200))) { break }
                input = retry?.attempt({ (chip: GpioChip) throws(DeviceError) -> GpioInput in
                    try chip.input(self.config.gpio.line, activeLow: self.config.activeLow)
                })
                if input != nil { retry = nil }
                continue
            }
            let edge: GpioEdge?
            do throws(DeviceError) {
                edge = try input.waitForEdge(timeoutMs: 200)
            } catch {
                Log.error("gpio-input " + config.name + ": " + error.description)
                if stop.sleep(milliseconds: 1_000) { break }
                continue
            }
            guard let edge else { continue }
            if config.debounceMilliseconds > 0 && edge.timestampNs - lastNs < config.debounceMilliseconds * 1_000_000 { continue }
            lastNs = edge.timestampNs
            switch config.role {
            case .trigger:
                guard edge.rising || config.edge != .rising, wanted(edge) else { continue }
                trigger?.submit(InferenceJob(image: nil, audio: nil, live: true) { _ in })
            case .event:
                _ = rules.gpioInput(name: config.name, active: edge.rising, time: WallClock.unixMilliseconds)
            }
        }
    }
}
