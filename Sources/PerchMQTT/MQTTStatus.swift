/// The broker connection as /v1/status, `perch status` and /v1/metrics show it.
public struct MQTTStatus: Equatable, Sendable {
    public var broker: String
    /// `connecting`, `connected`, `waiting` (to retry), `failed` (cannot start), `stopped`.
    public var state: String
    public var connected: Bool { state == "connected" }
    public var connects: UInt64 = 0
    /// Connection attempts that failed, and connections lost.
    public var retries: UInt64 = 0
    public var lastError: String? = nil
    /// Messages waiting in perchd's queue (changed states, events, snapshot).
    public var queued: Int = 0
    /// QoS 1 messages handed to the broker and not yet acknowledged.
    public var inflight: Int = 0
    public var messagesSent: UInt64 = 0
    public var eventsProduced: UInt64 = 0
    public var eventsDelivered: UInt64 = 0
    public var eventsDropped: UInt64 = 0
    public var snapshotsDropped: UInt64 = 0
    public var deviceID: String = ""

    public init(broker: String, state: String) {
        self.broker = broker
        self.state = state
    }
}
