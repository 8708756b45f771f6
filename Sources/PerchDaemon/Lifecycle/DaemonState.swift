import PerchDaemonCore
import PerchMQTT
import PerchSystem

/// What outlives a reload: the event bus (so /v1/events clients keep their stream), the
/// start time, the event counters, and the pipeline currently running.
public final class DaemonState: @unchecked Sendable {
    public let version: String
    /// This process's id (InstanceID), in /v1/status and every event line.
    public let instance: String
    public let bus: EventBus
    public let startNs = MonotonicClock.nanoseconds
    let mutex = PthreadMutex()
    private var pipeline: Pipeline
    private let events = EventTally()
    private var reloads: UInt64 = 0
    private var reloadFailures: UInt64 = 0
    private var reloadError: String? = nil
    private var socketBindFailures: UInt64 = 0
    private var socketBindError: String? = nil
    /// The `[web]` listener's address once it listens (for /v1/status and `perch view`).
    var webAddress: String? {
        get { mutex.withLock { web } }
        set { mutex.withLock { web = newValue } }
    }
    private var web: String? = nil
    private var mqttBridge: MQTTBridge? = nil
    /// Asks the main thread to reload (POST /v1/reload): raises SIGHUP at the process.
    let requestReload: () -> Void

    public init(version: String, instance: String, bus: EventBus, pipeline: Pipeline, requestReload: @escaping () -> Void) {
        self.version = version
        self.instance = instance
        self.bus = bus
        self.pipeline = pipeline
        self.requestReload = requestReload
        let events = self.events
        _ = bus.subscribe { event in events.count(event) }
    }

    public var current: Pipeline { mutex.withLock { pipeline } }

    /// Swaps in a new pipeline; returns the old one (to be shut down by the caller).
    public func replace(with new: Pipeline) -> Pipeline {
        mutex.withLock {
            let old = pipeline
            pipeline = new
            reloads += 1
            reloadError = nil
            return old
        }
    }

    public func reloadFailed(_ message: String) {
        mutex.withLock {
            reloadError = message
            reloadFailures += 1
        }
    }

    /// Successful reloads, failed ones, and why the last one failed (nil once one succeeds).
    var reloadStatus: (count: UInt64, failures: UInt64, error: String?) {
        mutex.withLock { (reloads, reloadFailures, reloadError) }
    }

    /// The socket could not be created (a full disk): kept after it succeeds, as history.
    func socketBindFailed(_ message: String) {
        mutex.withLock {
            socketBindFailures += 1
            socketBindError = message
        }
    }

    var socketBindStatus: (failures: UInt64, error: String?) { mutex.withLock { (socketBindFailures, socketBindError) } }

    /// The MQTT bridge when `[mqtt]` is configured (it outlives reloads, as the bus does).
    var mqtt: MQTTBridge? {
        get { mutex.withLock { mqttBridge } }
        set { mutex.withLock { mqttBridge = newValue } }
    }

    var uptimeSeconds: Double { Double(MonotonicClock.nanoseconds - startNs) / 1_000_000_000 }

    /// Events published per model, label and state, in first-seen order.
    var eventTotals: [(model: String, label: String, state: String, count: UInt64)] { events.totals }
}
