import PerchSystem

/// Releases frames at a fixed rate on the monotonic clock, for synthetic cameras that
/// must behave like a real one (a frame every 1/fps seconds, never faster).
struct FramePacer {
    let intervalNs: Int64
    private var nextDueNs: Int64 = 0

    /// `framesPerSecond` 0 means as fast as asked.
    init(framesPerSecond: Double) {
        intervalNs = framesPerSecond > 0 ? Int64(1e9 / framesPerSecond) : 0
    }

    mutating func reset() { nextDueNs = MonotonicClock.nanoseconds }

    /// Waits for the next frame time if it is within `timeoutMs`; returns its timestamp, or
    /// nil after waiting `timeoutMs` without reaching it.
    mutating func waitForNextFrame(timeoutMs: Int) -> Int64? {
        let now = MonotonicClock.nanoseconds
        if nextDueNs - now > Int64(timeoutMs) * 1_000_000 {
            MonotonicClock.sleep(milliseconds: timeoutMs)
            return nil
        }
        MonotonicClock.sleep(until: nextDueNs)
        let due = max(nextDueNs, now)
        // Late frames do not make later ones come in a burst.
        nextDueNs = max(nextDueNs + intervalNs, MonotonicClock.nanoseconds - intervalNs)
        return due
    }
}
