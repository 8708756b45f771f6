import CPerchSystem
import PerchDaemonCore
import PerchDevices
import PerchFrontends
import PerchHTTP
import PerchJSON
import PerchMedia
import PerchRuntime
import PerchServer
import PerchSystem

/// One command for an output line's worker thread.
struct GpioCommand: Sendable {
    /// Level to set, or nil for a pulse.
    var level: Bool?
    var pulseMilliseconds: Int = 0
}

/// An `[action]`: an output line driven from a rule's events. Commands go through a queue
/// to the line's own thread, so publishing an event never waits for GPIO (or a pulse).
final class GpioActionWorker: @unchecked Sendable {
    let config: ActionConfig
    let output: GpioOutput
    let commands = BoundedQueue<GpioCommand>(capacity: 16)
    private var thread: Thread? = nil

    init(config: ActionConfig, output: GpioOutput) {
        self.config = config
        self.output = output
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
        while let command = commands.pop(timeoutMilliseconds: 1_000_000) {
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
        do throws(DeviceError) { try output.set(false) } catch { Log.warning("action " + config.name + ": " + error.description) }
        output.release()
    }
}

/// A `[gpio-input]`: a thread waiting for edges; trigger inputs run a model now, event
/// inputs raise events through the rule engine.
final class GpioInputWorker: @unchecked Sendable {
    let config: GpioInputConfig
    let input: GpioInput
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

    func start() throws(Errno) {
        let worker = self
        thread = try Thread.spawn { worker.run() }
    }

    func join() {
        thread?.join()
        thread = nil
        input.release()
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
