import PerchDevices
import PerchSystem

/// A GPIO line that could not be requested at start because its chip was missing, or the line
/// busy (a driver loaded later, a gpio-sim chip created after perchd, another program
/// letting go): the line's own worker thread tries again, 1 s doubling to 30 s, with no
/// reload. Each attempt opens the chip afresh; the line keeps its chip alive once held.
struct GpioRetry {
    let label: String
    let chip: String
    /// The chip's entry in `sources[]`: `waiting` between attempts, `running` once open.
    let chipStatus: SourceStatus
    /// Called once the line is held: clears the line's error in `gpio[]` and `faults`.
    let opened: @Sendable () -> Void
    private var backoff = Backoff(initialMs: 1_000, maximumMs: 30_000)
    private var dueMs: Int64
    private var lastError: String

    init(label: String, chip: String, chipStatus: SourceStatus, error: String, opened: @escaping @Sendable () -> Void) {
        self.label = label
        self.chip = chip
        self.chipStatus = chipStatus
        self.opened = opened
        self.lastError = error
        dueMs = 0
        dueMs = MonotonicClock.milliseconds + backoff.nextDelayMs()
    }

    /// Milliseconds until the next attempt is due (0: now).
    var waitMilliseconds: Int { Int(max(0, dueMs - MonotonicClock.milliseconds)) }

    /// One attempt when it is due: opens the chip and requests the line with `request`. nil
    /// while either fails; a new kind of error is logged, a repeated one only counted.
    mutating func attempt<Line>(_ request: (GpioChip) throws(DeviceError) -> Line) -> Line? {
        guard waitMilliseconds == 0 else { return nil }
        do throws(DeviceError) {
            let chip = try GpioChip(self.chip)
            chipStatus.set(state: "running")
            let line = try request(chip)
            Log.notice(label + ": held at retry " + String(backoff.attempt) + "; it works from now on")
            opened()
            return line
        } catch {
            let delay = backoff.nextDelayMs()
            dueMs = MonotonicClock.milliseconds + delay
            chipStatus.fail(error.description, state: "waiting", retry: true)
            if error.description != lastError {
                Log.warning(label + ": " + error.description + "; retrying every " + String(delay / 1_000) + " s at most")
                lastError = error.description
            }
            return nil
        }
    }
}
