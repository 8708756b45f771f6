import PerchSystem


/// One configured GPIO line (an `[action]` output or a `[gpio-input]`) as the daemon got it:
/// `error` is nil when the line is held, else why it is not (the chip or line is missing,
/// busy, not permitted). A missing chip or busy line is retried by its worker (GpioRetry),
/// which clears `error` once it holds the line; other errors wait for a reload.
struct GpioLineStatus: Sendable {
    /// Which section configured the line; its raw value is the section's name, as the API reports it.
    enum Kind: String, Sendable {
        case action = "action"
        case input = "gpio-input"
    }

    var kind: Kind
    /// The section's name (`[action porch-light]` → "porch-light").
    var name: String
    var chip: String
    var line: Int
    var error: String?
    /// True while its worker retries the line (a missing chip, a busy line).
    var retrying = false

    /// "action porch-light (gpiochip0 line 17)": how log lines and faults name it.
    var label: String { kind.rawValue + " " + name + " (" + chip + " line " + String(line) + ")" }
}

/// Every configured line's outcome, in configuration order: written by the pipeline at start
/// and by a retrying worker once it holds its line, read by the API. A class of its own so
/// the workers hold it and not the pipeline that holds them.
final class GpioLineTable: @unchecked Sendable {
    private let mutex = PthreadMutex()
    private var lines: [GpioLineStatus] = []

    /// Adds a line; its index is what `held` takes.
    func append(_ line: GpioLineStatus) -> Int {
        mutex.withLock {
            lines.append(line)
            return lines.count - 1
        }
    }

    func held(_ index: Int) {
        mutex.withLock {
            lines[index].error = nil
            lines[index].retrying = false
        }
    }

    var all: [GpioLineStatus] { mutex.withLock { lines } }
}
