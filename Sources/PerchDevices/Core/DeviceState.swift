import PerchSystem

/// Where a supervised device is in its life: the state a daemon reports.
public enum DeviceState: Equatable, Sendable {
    case closed
    case running
    /// Lost or never found; the next attempt is due at `retryAtMs` (monotonic milliseconds).
    case waiting(retryAtMs: Int64, attempt: Int)
    /// Stopped for good: the error cannot be fixed by reopening.
    case failed

    public var name: String {
        switch self {
        case .closed: return "closed"
        case .running: return "running"
        case .waiting: return "waiting"
        case .failed: return "failed"
        }
    }
}

/// Exponential retry delay: 100 ms, 200 ms, … capped at 5 s. A pure value, tested on the host.
public struct Backoff: Sendable {
    public var initialMs: Int64
    public var maximumMs: Int64
    public private(set) var attempt = 0

    public init(initialMs: Int64 = 100, maximumMs: Int64 = 5_000) {
        self.initialMs = initialMs
        self.maximumMs = maximumMs
    }

    /// The delay before the next attempt; each call doubles the following one.
    public mutating func nextDelayMs() -> Int64 {
        let shift = min(attempt, 30)
        attempt += 1
        return min(initialMs << Int64(shift), maximumMs)
    }

    public mutating func reset() { attempt = 0 }

    /// The state a supervised device takes after `error` closed it, with its one log line:
    /// failed when reopening cannot help, otherwise waiting for the next attempt.
    public mutating func stateAfter(_ error: DeviceError, device: String, while action: String) -> DeviceState {
        guard error.isRecoverable else {
            Log.error(device + ": " + error.description + " while " + action)
            return .failed
        }
        let delay = nextDelayMs()
        Log.warning(device + ": " + error.description + " while " + action + "; closed, retry "
                    + String(attempt) + " in " + String(delay) + " ms")
        return .waiting(retryAtMs: MonotonicClock.milliseconds + delay, attempt: attempt)
    }
}
