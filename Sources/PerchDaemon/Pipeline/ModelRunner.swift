import PerchDaemonCore
import PerchMedia
import PerchRuntime
import PerchSystem

/// One model's inference thread: at its rate it takes the newest frame, the latest audio
/// features, invokes, and hands the scores to the results store and the rule engine.
/// Upload and trigger jobs run on the same thread (the interpreter has one owner).
final class ModelRunner: @unchecked Sendable {
    let config: ModelConfig
    let labels: [String]
    let interpreter: Interpreter
    let imageInputs: [ImageInput]
    let audioInputs: [AudioInput]
    let results: ResultsStore
    let rules: RuleEngine
    let stop: StopFlag
    let jobs = BoundedQueue<InferenceJob>(capacity: 8)
    private let counters = PthreadMutex()
    private var lastProgressNs: Int64 = MonotonicClock.nanoseconds
    private var inferenceCount: UInt64 = 0
    private var inferenceSecondsSum: Double = 0
    private var lastError: String? = nil
    private var lastLiveFrame: Image? = nil
    /// The source whose frame is stale, while one is (for the log's transitions; run thread only).
    private var staleSource: String? = nil
    private var thread: Thread? = nil

    init(config: ModelConfig, labels: [String], interpreter: Interpreter, imageInputs: [ImageInput],
         audioInputs: [AudioInput], results: ResultsStore, rules: RuleEngine, stop: StopFlag) {
        self.config = config
        self.labels = labels
        self.interpreter = interpreter
        self.imageInputs = imageInputs
        self.audioInputs = audioInputs
        self.results = results
        self.rules = rules
        self.stop = stop
    }

    struct Counters {
        var inferences: UInt64
        var secondsSum: Double
        var lastProgressNs: Int64
        var lastError: String?
    }

    var snapshot: Counters {
        counters.withLock { Counters(inferences: inferenceCount, secondsSum: inferenceSecondsSum,
                                     lastProgressNs: lastProgressNs, lastError: lastError) }
    }

    /// The camera frame of the newest live inference (for MQTT snapshots); uploads are not kept.
    var lastFrame: Image? { counters.withLock { lastLiveFrame } }

    var frameDrops: UInt64 { imageInputs.reduce(0) { $0 + $1.queue.dropped } }

    func start() throws(Errno) {
        let runner = self
        thread = try Thread.spawn { runner.run() }
    }

    /// Ends the thread (after `stop` is set); pending jobs are answered with an error.
    func join() {
        jobs.close()
        thread?.join()
        thread = nil
        while let job = jobs.tryPop() { job.reply(failure("the daemon is stopping")) }
    }

    /// Queues an upload/trigger. When the queue is full (or closed) the job is answered at
    /// once with an error: every job's reply must run, or an upload's client would wait on
    /// a stream nobody finishes.
    @discardableResult
    func submit(_ job: InferenceJob) -> Bool {
        guard jobs.pushIfRoom(job) else {
            Log.warning("model " + config.name + ": inference job queue full; job refused")
            job.reply(failure(String(jobs.capacity) + " inference jobs already waiting for model " + config.name
                              + "; try again later"))
            return false
        }
        return true
    }

    private func beat() { counters.withLock { lastProgressNs = MonotonicClock.nanoseconds } }

    private func run() {
        let period = Int64(1_000_000_000.0 / max(config.rate, 0.001))
        var next = MonotonicClock.nanoseconds
        while !stop.isSet {
            beat()
            // The schedule goes first when it is due, jobs fill the time between: a steady
            // flow of uploads must not starve live inference (jobs only ran before).
            if MonotonicClock.nanoseconds >= next {
                scheduled()
                next += period
                let after = MonotonicClock.nanoseconds
                if next < after { next = after + period }
                // One waiting job before the next scheduled run: neither starves the other,
                // even at a rate the model cannot keep up with.
                if let job = jobs.tryPop() { job.reply(runJob(job)) }
                continue
            }
            let waitMs = Int(min(max(0, next - MonotonicClock.nanoseconds) / 1_000_000, 500))
            if let job = jobs.pop(timeoutMilliseconds: waitMs) {
                job.reply(runJob(job))
            }
        }
    }

    private func scheduled() {
        for input in imageInputs {
            let dropped = input.queue.dropped
            if dropped > input.droppedReported {
                results.recordDropped(model: config.name, frames: dropped - input.droppedReported)
                input.droppedReported = dropped
            }
        }
        let outcome = infer(image: nil, audio: nil)
        if outcome.error == nil { publish(outcome) }
    }

    private func runJob(_ job: InferenceJob) -> InferenceOutcome {
        let outcome = infer(image: job.image, audio: job.audio)
        if job.live && outcome.error == nil { publish(outcome) }
        return outcome
    }

    private func publish(_ outcome: InferenceOutcome) {
        let time = WallClock.unixMilliseconds
        results.record(model: config.name, scores: outcome.scores, attribution: outcome.attribution,
                       inferenceMicroseconds: outcome.microseconds, time: time, stale: outcome.stale)
        let ruleScores = outcome.stale ? scoresWithImageHeld(outcome.scores, labels: labels, audioLabels: config.audioLabels)
                                       : outcome.scores
        _ = rules.process(model: config.name, labels: labels, scores: ruleScores, time: time)
    }

    /// Whether a live camera input's frame is stale now; logs when that changes.
    private func liveFrameStale() -> Bool {
        let now = MonotonicClock.nanoseconds
        let stale = imageInputs.first { $0.freshness.isStale(at: now) }
        if let stale, staleSource == nil {
            let limit = stale.freshness.limitNs / 100_000_000
            Log.warning("model " + config.name + ": no new frame from " + stale.source + " for "
                        + String(limit / 10) + "." + String(limit % 10) + " s; image and fused labels held off ("
                        + (config.audioLabels.isEmpty ? "no audio-labels" : "audio labels: " + config.audioLabels.joined(separator: ", "))
                        + ")")
            staleSource = stale.source
        } else if stale == nil, let source = staleSource {
            Log.notice("model " + config.name + ": " + source + " frames again; image labels live")
            staleSource = nil
        }
        return stale != nil
    }

    func failure(_ message: String) -> InferenceOutcome {
        InferenceOutcome(model: config.name, labels: labels, scores: [], attributionNames: [], attribution: nil,
                         microseconds: 0, error: message)
    }

    /// Fills every input (uploads replace the live source of their kind), invokes, reads outputs.
    private func infer(image: Image?, audio: WAVAudio?) -> InferenceOutcome {
        var stale = false
        for input in imageInputs {
            let frame: Image
            if let image { frame = image } else {
                guard let newest = input.newest() else { return failure("no frame from " + input.source + " yet") }
                frame = newest
                if input.index == imageInputs[0].index { counters.withLock { lastLiveFrame = newest } }
            }
            if image == nil && input.index == imageInputs[imageInputs.count - 1].index { stale = liveFrameStale() }
            if let message = input.fill(frame, into: interpreter.input(input.index)) {
                return record(failure("input " + String(input.index) + ": " + message))
            }
        }
        for input in audioInputs {
            if let audio {
                if let message = input.fill(clip: audio, into: interpreter.input(input.index)) {
                    return record(failure("input " + String(input.index) + ": " + message))
                }
            } else {
                input.ring.latest(input.frames, into: interpreter.input(input.index))
            }
        }
        let start = MonotonicClock.nanoseconds
        interpreter.invoke()
        let micros = (MonotonicClock.nanoseconds - start) / 1_000
        let outputs = interpreter.outputs
        let scores = FrontendMapping.dequantize(outputs[config.scoresOutput], interpreter.output(config.scoresOutput))
        var attribution: [Float]? = nil
        var names: [String] = []
        if let a = config.attribution {
            attribution = FrontendMapping.dequantize(outputs[a.output], interpreter.output(a.output))
            names = a.names
        }
        counters.withLock {
            inferenceCount += 1
            inferenceSecondsSum += Double(micros) / 1_000_000
        }
        return InferenceOutcome(model: config.name, labels: labels, scores: scores, attributionNames: names,
                                attribution: attribution, microseconds: micros, error: nil, stale: stale)
    }

    private func record(_ outcome: InferenceOutcome) -> InferenceOutcome {
        if let e = outcome.error { counters.withLock { lastError = e } }
        return outcome
    }
}
