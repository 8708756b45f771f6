import PerchDaemonCore
import PerchMQTT
import PerchServer
import PerchSystem

/// perchd's life: load, start, notify systemd, then on the main thread wait for signals
/// (SIGHUP reloads, SIGTERM/SIGINT stop) and feed the watchdog while inference progresses.
public enum Daemon {
    public static func run(_ options: DaemonOptions) -> Int32 {
        let configuration: Configuration
        switch loadConfiguration(options) {
        case .success(let c): configuration = c
        case .failure(let e):
            for line in e.messages { Log.error(line) }
            return 1
        }
        if !options.logLevelFromArguments { Log.level = configuration.daemon.logLevel }
        // Before any thread exists: every thread inherits the blocked mask, so only the
        // sigtimedwait below ever takes these signals.
        DaemonSignals.block()
        let instance: String
        do throws(Errno) { instance = try InstanceID.make() } catch {
            Log.error("cannot make the instance id: getrandom: " + error.description)
            return 1
        }
        let bus = EventBus(capacity: configuration.daemon.eventBuffer)
        let pipeline: Pipeline
        do throws(PipelineError) {
            pipeline = try Pipeline.build(configuration, bus: bus)
        } catch {
            for line in error.messages { Log.error(line) }
            return 1
        }
        var listener: UnixListener? = nil
        var bindFailure: ListenerFailure? = nil
        switch SocketListening.open(configuration) {
        case .success(let l): listener = l
        case .failure(let f):
            guard f.retryable else {
                Log.error(f.message)
                return 1
            }
            bindFailure = f
        }
        let socketPath = listener.map { $0.path ?? "(socket activation)" } ?? configuration.socket.path
        let state = DaemonState(version: options.version, instance: instance, bus: bus, pipeline: pipeline) { DaemonSignals.raiseReload() }
        let api = APIHandler(state: state, socketPath: socketPath)
        var socketRetry = SocketRetry()
        if let bindFailure { socketRetry.failed(bindFailure, state: state) }
        var serving: ServingThread? = nil
        if let listener {
            switch ServingThread.start(listener, api) {
            case .success(let s): serving = s
            case .failure(let e):
                Log.error(e.description)
                return 1
            }
        }
        var web: (listener: TCPListener, serving: ServingThread)? = nil
        if let address = configuration.web.listen {
            switch WebListening.start(configuration.web, address: address, api) {
            case .success(let w):
                web = w
                state.webAddress = w.listener.address
            case .failure(let e):
                for line in e.messages { Log.error(line) }
                serving?.stop()
                return 1
            }
        }
        do throws(Errno) {
            try pipeline.start()
        } catch {
            Log.error("cannot start threads: " + error.description)
            return 1
        }
        let mqtt = configuration.mqtt.map { MQTTWiring.start($0, state: state) }
        let notifier = SystemdNotifier()
        let summary = readySummary(configuration, socket: socketPath) + (serving == nil ? " (not yet: no socket)" : "")
        Log.notice("ready: " + summary)
        notifier?.ready(status: summary)
        if serving != nil { printReadyMessage(options, socketPath) }

        let watchdogNs = notifier?.watchdogIntervalNanoseconds
        let tickMs = watchdogNs.map { Int32(max(50, min($0 / 2_000_000, 1_000))) } ?? 1_000
        while true {
            let signal = DaemonSignals.wait(milliseconds: tickMs)
            if signal == .terminate || signal == .interrupt {
                Log.notice(signal == .terminate ? "SIGTERM: stopping" : "SIGINT: stopping")
                break
            }
            if signal == .reload { reload(options, state: state, notifier: notifier, socket: socketPath) }
            if serving == nil && socketRetry.due {
                switch SocketListening.open(state.current.configuration) {
                case .failure(let f): socketRetry.failed(f, state: state)
                case .success(let l):
                    listener = l
                    switch ServingThread.start(l, api) {
                    case .failure(let e):
                        Log.error(e.description)
                        l.close()
                        listener = nil
                    case .success(let s):
                        serving = s
                        Log.notice("the socket API is up on " + socketPath + " after " + String(socketRetry.failures)
                                   + " failed attempts")
                        printReadyMessage(options, socketPath)
                    }
                }
            }
            if let watchdogNs, healthy(state.current, within: watchdogNs) { notifier?.watchdog() }
        }
        notifier?.stopping()
        web?.serving.stop()
        web?.listener.close()
        serving?.stop()
        api.stopLiveView()
        state.current.shutdown()
        mqtt?.stop()
        listener?.close()
        Log.notice("stopped")
        return 0
    }

    /// The demo's how-to-query lines on stdout; a stdout that refuses them is logged, not fatal.
    static func printReadyMessage(_ options: DaemonOptions, _ socketPath: String) {
        guard let message = options.readyMessage else { return }
        if let failure = StandardStream.output.write(message(socketPath)) {
            Log.warning("stdout: the ready message could not be written: " + failure.description)
        }
    }

    static func loadConfiguration(_ options: DaemonOptions) -> Result<Configuration, PipelineError> {
        do throws(ConfigErrors) {
            return .success(try Configuration.load(path: options.configPath, overrides: options.overrides))
        } catch {
            return .failure(PipelineError(error.diagnostics.map { $0.description }))
        }
    }

    static func readySummary(_ configuration: Configuration, socket: String) -> String {
        String(configuration.models.count) + " models, " + String(configuration.cameras.count) + " cameras, "
            + String(configuration.microphones.count) + " microphones; API on " + socket
    }

    /// Every inference thread looped within the watchdog interval.
    static func healthy(_ pipeline: Pipeline, within intervalNs: Int64) -> Bool {
        let now = MonotonicClock.nanoseconds
        for model in pipeline.models where now - model.snapshot.lastProgressNs > intervalNs {
            Log.warning("model " + model.config.name + " made no progress for "
                        + String((now - model.snapshot.lastProgressNs) / 1_000_000) + " ms; watchdog not fed")
            return false
        }
        return true
    }

    /// Loads the configuration and builds the new pipeline while the old one runs; swaps only
    /// when both worked. The server keeps running: clients stay connected.
    static func reload(_ options: DaemonOptions, state: DaemonState, notifier: SystemdNotifier?, socket: String) {
        Log.notice("SIGHUP: reloading " + options.configPath)
        notifier?.reloading()
        let new: Pipeline
        switch loadConfiguration(options) {
        case .failure(let e):
            reloadFailed(e, state: state, notifier: notifier)
            return
        case .success(let configuration):
            do throws(PipelineError) {
                new = try Pipeline.build(configuration, bus: state.bus)
            } catch {
                reloadFailed(error, state: state, notifier: notifier)
                return
            }
        }
        if new.configuration.socket.path != state.current.configuration.socket.path {
            Log.warning("socket.path changed; it takes effect at the next restart")
        }
        if new.configuration.web.listen != state.current.configuration.web.listen
            || new.configuration.web.tokenFile != state.current.configuration.web.tokenFile {
            Log.warning("web.listen / web.token-file changed; they take effect at the next restart")
        }
        let old = state.replace(with: new)
        if let bridge = state.mqtt {
            MQTTWiring.reloaded(new, bridge: bridge)
        } else if new.configuration.mqtt != nil {
            Log.warning("mqtt: [mqtt] was added; it takes effect at the next restart")
        }
        old.shutdown()
        do throws(Errno) {
            try new.start()
        } catch {
            Log.error("reload: cannot start threads: " + error.description)
        }
        if !options.logLevelFromArguments { Log.level = new.configuration.daemon.logLevel }
        let summary = readySummary(new.configuration, socket: socket)
        Log.notice("reloaded: " + summary)
        notifier?.send("READY=1\nSTATUS=reloaded: " + summary)
    }

    static func reloadFailed(_ error: PipelineError, state: DaemonState, notifier: SystemdNotifier?) {
        for line in error.messages { Log.error("reload: " + line) }
        Log.error("reload failed (" + String(error.messages.count) + " errors); the previous configuration keeps running")
        state.reloadFailed(error.description)
        notifier?.send("READY=1\nSTATUS=reload failed (" + String(error.messages.count)
                       + " errors); running the previous configuration")
    }
}

/// The server's loop thread (file scope: no actor context).
func runServer(_ server: HTTPServer) {
    do throws(ServerError) {
        try server.run()
    } catch {
        Log.error("server: " + error.description)
    }
}
