import PerchDaemonCore
import PerchMedia
import PerchSystem

/// `[record]`: a thread that saves 1 s windows of audio, each with a camera frame, around
/// rule start events and on request, into a DatasetStore. Events and requests only push a
/// job (a position in the audio ring and the frame at that moment) into a bounded queue, so
/// inference and the API never wait for the disk; a full queue drops the job and counts it.
final class Recorder: @unchecked Sendable {
    struct Job {
        var labels: [String]
        /// Why: "event av.person (seq 12)" or "request".
        var reason: String
        /// The first audio sample (ring position) and the number of 1 s windows.
        var firstSample: UInt64
        var windows: Int
        /// The frame when the job was made: the frame of windows that were already over.
        var frame: Image?
        var madeAt: UInt64
        /// A request's number (0 for events), reported back once all its windows are done.
        var request: UInt64
    }

    /// A finished request: what `perch record` waits for.
    struct Finished {
        var id: UInt64
        var saved: Int
        var failed: Int
        var first: String?
        var last: String?
    }

    struct Snapshot {
        var saved: UInt64 = 0
        var dropped: UInt64 = 0
        var failed: UInt64 = 0
        var bytes: Int = 0
        var recordings: Int = 0
        var lastSaved: String? = nil
        var lastError: String? = nil
        /// The last few finished requests, newest last.
        var finished: [Finished] = []
    }

    static let rate = 16_000
    let config: RecordConfig
    let labels: [String]
    private let camera: CameraWorker?
    private let microphone: MicrophoneWorker?
    private let queue: BoundedQueue<Job>
    private let store: DatasetStore
    private let stop: StopFlag
    private let mutex = PthreadMutex()
    private var counters = Snapshot()
    private var nextRequest: UInt64 = 1
    private var thread: Thread? = nil

    init(config: RecordConfig, labels: [String], camera: CameraWorker?, microphone: MicrophoneWorker?, stop: StopFlag) {
        self.config = config
        self.labels = labels
        self.camera = camera
        self.microphone = microphone
        self.stop = stop
        queue = BoundedQueue(capacity: config.queue)
        store = DatasetStore(directory: config.directory, budgetBytes: config.budgetBytes)
    }

    /// Audio the microphone's ring must hold: the longest recording plus the time a job can
    /// wait behind another.
    static func ringSamples(_ config: RecordConfig) -> Int {
        rate * (config.preSeconds + max(config.postSeconds, RecordConfig.maxSeconds) + 4)
    }

    var snapshot: Snapshot { mutex.withLock { counters } }

    func start() throws(Errno) {
        let recorder = self
        thread = try Thread.spawn { recorder.run() }
    }

    func join() {
        queue.close()
        thread?.join()
        thread = nil
    }

    /// A rule's start event: `pre-seconds` before it and `post-seconds` after.
    func record(event: Event) {
        guard event.state == .start, config.events.contains(event.model + "." + event.label) else { return }
        enqueue(labels: [event.label], reason: "event " + event.model + "." + event.label + " (seq " + String(event.seq) + ")",
                before: config.preSeconds, windows: config.preSeconds + config.postSeconds)
    }

    /// `POST /v1/record`: `seconds` windows from now. Returns the request's id (it appears
    /// in `finished` once every window is saved or failed), or an error for the client.
    func request(label: String?, seconds: Int) -> Result<UInt64, RecordError> {
        guard config.onDemand else { return .failure(RecordError("on-demand recording is off ([record] on-demand = false)")) }
        if let label, !labels.contains(label) {
            return .failure(RecordError("unknown label '" + label + "'; the labels are " + labels.joined(separator: ", ")))
        }
        let id = mutex.withLock { () -> UInt64 in
            nextRequest += 1
            return nextRequest - 1
        }
        guard enqueue(labels: label.map { [$0] } ?? [], reason: "request " + String(id), before: 0, windows: seconds,
                      request: id) else {
            return .failure(RecordError("the recording queue is full (" + String(config.queue) + " waiting); try again"))
        }
        return .success(id)
    }

    @discardableResult
    private func enqueue(labels: [String], reason: String, before: Int, windows: Int, request: UInt64 = 0) -> Bool {
        let now = microphone?.raw.totalSamples ?? 0
        let back = UInt64(before * Recorder.rate)
        let job = Job(labels: labels, reason: reason, firstSample: now > back ? now - back : 0, windows: windows,
                      frame: camera?.latest.newest?.frame, madeAt: now, request: request)
        if queue.pushIfRoom(job) { return true }
        mutex.withLock { counters.dropped += 1 }
        Log.warning("record: queue full, dropped a recording (" + reason + ")")
        return false
    }

    private func run() {
        while !stop.isSet {
            guard let job = queue.pop(timeoutMilliseconds: 500) else { continue }
            save(job)
        }
    }

    private func save(_ job: Job) {
        var done = Finished(id: job.request, saved: 0, failed: 0, first: nil, last: nil)
        defer {
            if job.request != 0 {
                mutex.withLock {
                    counters.finished.append(done)
                    if counters.finished.count > 16 { counters.finished.removeFirst() }
                }
            }
        }
        for window in 0..<job.windows {
            let first = job.firstSample + UInt64(window * Recorder.rate)
            var audio: [Int16]? = nil
            if let ring = microphone?.raw {
                // Wait for the window's last sample; a source that stalls is given 5 s more.
                let end = first + UInt64(Recorder.rate)
                let missing = Int64(end) - Int64(ring.totalSamples)
                let deadline = MonotonicClock.milliseconds + max(0, missing) / Int64(Recorder.rate / 1_000) + 5_000
                while !ring.wait(untilTotal: end, timeoutMilliseconds: 500) {
                    if stop.isSet { return }
                    if MonotonicClock.milliseconds > deadline { break }
                }
                audio = ring.samples(from: first, count: Recorder.rate)
                if audio == nil {
                    done.failed += 1
                    fail(job.reason + ": window " + String(window + 1) + " of audio is not in the ring (the microphone "
                         + "stalled or the queue fell behind)")
                    continue
                }
            } else if window > 0 || job.windows == 1 {
                // Without a microphone, windows are timed by the clock.
                if stop.sleep(milliseconds: 1_000) { return }
            }
            let frame = first >= job.madeAt ? (camera?.latest.newest?.frame ?? job.frame) : job.frame
            do throws(RecordError) {
                do throws(Errno) {
                    try store.open(labels: labels)
                } catch {
                    throw RecordError("cannot use " + config.directory + ": " + error.description)
                }
                let name = try store.save(audio: audio, frame: frame, labels: job.labels)
                done.saved += 1
                if done.first == nil { done.first = name }
                done.last = name
                let (bytes, count) = (store.totalBytes, store.entries.count)
                mutex.withLock {
                    counters.saved += 1
                    counters.bytes = bytes
                    counters.recordings = count
                    counters.lastSaved = name
                    counters.lastError = nil
                }
            } catch {
                done.failed += 1
                fail(job.reason + ": " + error.message)
            }
        }
    }

    private func fail(_ message: String) {
        Log.error("record: " + message + "; inference keeps running")
        mutex.withLock {
            counters.failed += 1
            counters.lastError = message
        }
    }
}
