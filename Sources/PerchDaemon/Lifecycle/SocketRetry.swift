import PerchSystem


/// While the socket cannot be created (a full disk), the main loop tries again every
/// `intervalNs`. The first failure and every change of reason is logged at error level,
/// repeats of the same reason at debug level, so a long outage does not flood the log.
struct SocketRetry {
    static let intervalNs: Int64 = 2_000_000_000
    private(set) var failures: UInt64 = 0
    private var lastMessage: String? = nil
    private var nextAttemptNs: Int64 = 0

    var due: Bool { MonotonicClock.nanoseconds >= nextAttemptNs }

    mutating func failed(_ failure: ListenerFailure, state: DaemonState) {
        failures += 1
        nextAttemptNs = MonotonicClock.nanoseconds + SocketRetry.intervalNs
        state.socketBindFailed(failure.message)
        if failure.message != lastMessage {
            Log.error(failure.message + "; running without the socket API (inference, rules and GPIO keep running), "
                      + "retrying every " + String(SocketRetry.intervalNs / 1_000_000_000) + " s")
        } else {
            Log.debug(failure.message + " (attempt " + String(failures) + ")")
        }
        lastMessage = failure.message
    }
}
