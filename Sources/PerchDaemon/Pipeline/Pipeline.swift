import PerchDaemonCore
import PerchDevices
import PerchSystem

/// Everything one configuration runs: sources, models, rules, GPIO. Built completely (models
/// loaded, inputs checked) before any thread starts, so a reload can fail without touching
/// the pipeline that is running.
public final class Pipeline: @unchecked Sendable {
    public let configuration: Configuration
    let results: ResultsStore
    let rules: RuleEngine
    let cameras: [CameraWorker]
    let microphones: [MicrophoneWorker]
    let models: [ModelRunner]
    private(set) var actions: [GpioActionWorker] = []
    private(set) var gpioInputs: [GpioInputWorker] = []
    private(set) var gpioStatus: [SourceStatus] = []
    private var subscription: UInt64? = nil
    let bus: EventBus

    public static func build(_ configuration: Configuration, bus: EventBus) throws(PipelineError) -> Pipeline {
        var errors: [String] = []
        let stop = StopFlag()
        let cameras = configuration.cameras.map { CameraWorker(config: $0, stop: stop) }
        // Audio rings hold the longest window any model asks for.
        var longest = 49
        for model in configuration.models { if let w = model.audioWindow { longest = max(longest, w) } }
        let rawSamples = configuration.record.map { Recorder.ringSamples($0) } ?? 0
        let microphones = configuration.microphones.map {
            MicrophoneWorker(config: $0, featureFrames: longest * 2, rawSamples: rawSamples, stop: stop)
        }
        let results = ResultsStore(models: configuration.models)
        let rules = RuleEngine(rules: configuration.rules, bus: bus)
        var models: [ModelRunner] = []
        for model in configuration.models {
            switch ModelBuilder.build(model, cameras: cameras, microphones: microphones,
                                      frameQueue: configuration.daemon.frameQueue, results: results, rules: rules, stop: stop) {
            case .success(let runner): models.append(runner)
            case .failure(let e): errors += e.messages
            }
        }
        if !errors.isEmpty { throw PipelineError(errors) }
        let pipeline = Pipeline(configuration: configuration, stop: stop, results: results, rules: rules, cameras: cameras,
                                microphones: microphones, models: models, bus: bus)
        if let record = configuration.record {
            var camera = cameras.first, microphone = microphones.first, model = models.first
            if let name = record.camera { camera = cameras.first { $0.config.name == name } }
            if let name = record.microphone { microphone = microphones.first { $0.config.name == name } }
            if let name = record.model { model = models.first { $0.config.name == name } }
            pipeline.recorder = Recorder(config: record, labels: model?.labels ?? [], camera: camera, microphone: microphone,
                                         stop: stop)
        }
        return pipeline
    }

    /// `[record]`'s writer; nil without one.
    private(set) var recorder: Recorder? = nil
    private var recorderSubscription: UInt64? = nil

    init(configuration: Configuration, stop: StopFlag, results: ResultsStore, rules: RuleEngine, cameras: [CameraWorker],
         microphones: [MicrophoneWorker], models: [ModelRunner], bus: EventBus) {
        self.configuration = configuration
        self.results = results
        self.rules = rules
        self.cameras = cameras
        self.microphones = microphones
        self.models = models
        self.bus = bus
        self.stopShared = stop
    }
    private let stopShared: StopFlag

    var stopFlag: StopFlag { stopShared }

    /// Opens GPIO lines (a missing chip is logged and reported, not fatal) and starts every thread.
    public func start() throws(Errno) {
        openGpio()
        for c in cameras { try c.start() }
        for m in microphones { try m.start() }
        for m in models { try m.start() }
        for a in actions { try a.start() }
        for i in gpioInputs { try i.start() }
        if let recorder {
            try recorder.start()
            if !recorder.config.events.isEmpty {
                recorderSubscription = bus.subscribe { event in recorder.record(event: event) }
            }
        }
        let workers = actions
        if !workers.isEmpty {
            subscription = bus.subscribe { event in for w in workers { w.handle(event) } }
        }
    }

    /// Stops every thread, answers pending jobs, leaves output lines inactive.
    public func shutdown() {
        stopShared.set()
        if let subscription { bus.unsubscribe(subscription) }
        subscription = nil
        if let recorderSubscription { bus.unsubscribe(recorderSubscription) }
        recorderSubscription = nil
        recorder?.join()
        for i in gpioInputs { i.join() }
        for c in cameras { c.join() }
        for m in microphones { m.join() }
        for m in models { m.join() }
        for a in actions { a.stopAndRelease() }
        for chip in chips.values { chip.close() }
        chips = [:]
    }

    private var chips: [String: GpioChip] = [:]
    /// Chips that failed to open, with the error: each is tried once here; the lines on them
    /// are retried by their own workers (GpioRetry).
    private var chipFailures: [String: String] = [:]
    private var chipStatuses: [String: SourceStatus] = [:]
    /// Guards gpioStatus: written by start() while the API may read it.
    private let gpioMutex = PthreadMutex()
    private let gpioLineTable = GpioLineTable()

    private func chip(_ name: String) -> Result<GpioChip, DeviceError> {
        if let open = chips[name] { return .success(open) }
        let status = chipStatuses[name] ?? SourceStatus(name: name, kind: "gpio", device: name)
        if chipStatuses[name] == nil {
            chipStatuses[name] = status
            gpioMutex.withLock { gpioStatus.append(status) }
        }
        do throws(DeviceError) {
            let chip = try GpioChip(name)
            chips[name] = chip
            status.set(state: "running")
            return .success(chip)
        } catch {
            if chipFailures[name] == nil {
                status.fail(error.description, state: error.isRecoverable ? "waiting" : "failed", retry: false)
                chipFailures[name] = error.description
            }
            return .failure(error)
        }
    }

    /// Records a line's outcome (its index in the table); a failed line is logged naming
    /// section, chip and line.
    @discardableResult
    private func record(_ line: GpioLineStatus, retrying: Bool) -> Int {
        if let error = line.error {
            Log.error(line.label + ": " + error + "; this " + line.kind.rawValue
                      + (retrying ? " is retried (1 s doubling to 30 s) and works once the line can be requested"
                                  : " is disabled until a reload")
                      + ", inference and events keep running")
        }
        return gpioLineTable.append(line)
    }

    /// A retry schedule for a line that failed with `error`, or nil when retrying cannot help
    /// (no such line on the chip, permission denied): then it waits for a reload.
    private func retrySchedule(_ line: GpioLineStatus, _ error: DeviceError) -> GpioRetry? {
        guard error.isRecoverable else { return nil }
        let table = gpioLineTable
        var failed = line
        failed.error = error.description
        failed.retrying = true
        let index = record(failed, retrying: true)
        let status = chipStatuses[line.chip] ?? SourceStatus(name: line.chip, kind: "gpio", device: line.chip)
        return GpioRetry(label: line.label, chip: line.chip, chipStatus: status, error: error.description) {
            table.held(index)
        }
    }

    private func openGpio() {
        for action in configuration.actions {
            var status = GpioLineStatus(kind: .action, name: action.name, chip: action.gpio.chip, line: action.gpio.line)
            do throws(DeviceError) {
                let chip = try self.chip(action.gpio.chip).get()
                let line = try chip.output(action.gpio.line, activeLow: action.activeLow, initial: false)
                actions.append(GpioActionWorker(config: action, output: line))
            } catch {
                if let retry = retrySchedule(status, error) {
                    actions.append(GpioActionWorker(config: action, retry: retry))
                    continue
                }
                status.error = error.description
            }
            record(status, retrying: false)
        }
        for input in configuration.gpioInputs {
            var status = GpioLineStatus(kind: .input, name: input.name, chip: input.gpio.chip, line: input.gpio.line)
            var trigger: ModelRunner? = nil
            if case .trigger(let name) = input.role { trigger = models.first { $0.config.name == name } }
            do throws(DeviceError) {
                let chip = try self.chip(input.gpio.chip).get()
                let line = try chip.input(input.gpio.line, activeLow: input.activeLow)
                gpioInputs.append(GpioInputWorker(config: input, input: line, rules: rules, trigger: trigger, stop: stopShared))
            } catch {
                if let retry = retrySchedule(status, error) {
                    gpioInputs.append(GpioInputWorker(config: input, retry: retry, rules: rules, trigger: trigger, stop: stopShared))
                    continue
                }
                status.error = error.description
            }
            record(status, retrying: false)
        }
    }

    /// Every configured GPIO line and whether it is held.
    var gpioLines: [GpioLineStatus] { gpioLineTable.all }

    var sourceStatuses: [SourceStatus] {
        cameras.map { $0.status } + microphones.map { $0.status } + gpioMutex.withLock { gpioStatus }
    }

    func model(named name: String) -> ModelRunner? { models.first { $0.config.name == name } }
}
