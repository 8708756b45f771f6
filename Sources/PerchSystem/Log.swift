import Synchronization

/// Message priorities of syslog / sd-daemon(3). journald reads the `<N>` prefix on each
/// stderr line, so the daemon needs no logging library.
public enum LogLevel: Int, Sendable, CaseIterable {
    case error = 3, warning = 4, notice = 5, info = 6, debug = 7

    public var name: String {
        switch self {
        case .error: return "error"
        case .warning: return "warning"
        case .notice: return "notice"
        case .info: return "info"
        case .debug: return "debug"
        }
    }

    /// Accepts a name ("warning", "warn", "err") or a number 3...7.
    public init?(parsing text: String) {
        switch text {
        case "error", "err", "3": self = .error
        case "warning", "warn", "4": self = .warning
        case "notice", "5": self = .notice
        case "info", "6": self = .info
        case "debug", "7": self = .debug
        default: return nil
        }
    }
}

/// The process-wide log: lines on stderr with sd-daemon priority prefixes.
/// A line stderr refuses (a full disk, /dev/full, a closed pipe) is counted, never retried:
/// logging must not stall the daemon. The count is in /v1/status, and the first line that
/// gets through again is preceded by a note saying how many were lost.
public enum Log {
    private static let threshold = Atomic<Int>(LogLevel.info.rawValue)
    private static let droppedTotal = Atomic<Int>(0)
    private static let droppedUnreported = Atomic<Int>(0)
    private static let lastFailureCode = Atomic<Int32>(0)

    /// Lines that could not be written since the start.
    public static var droppedLines: Int { droppedTotal.load(ordering: .relaxed) }

    /// Why the last line could not be written; nil when no write has failed.
    public static var lastWriteError: Errno? {
        let code = lastFailureCode.load(ordering: .relaxed)
        return code == 0 ? nil : Errno(code)
    }

    public static var level: LogLevel {
        get { LogLevel(rawValue: threshold.load(ordering: .relaxed)) ?? .info }
        set { threshold.store(newValue.rawValue, ordering: .relaxed) }
    }

    public static func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue <= threshold.load(ordering: .relaxed)
    }

    /// Writes `<N>message` as one write(2), so lines from threads never interleave.
    public static func write(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        emit("<\(level.rawValue)>" + message() + "\n")
    }

    private static func emit(_ line: String) {
        let missed = droppedUnreported.exchange(0, ordering: .relaxed)
        if missed > 0 {
            let reason = lastWriteError?.description ?? "unknown error"
            let note = "<4>log: " + String(missed) + " earlier lines were lost (stderr: " + reason + ")\n"
            if let failure = StandardStream.error.write(note) {
                droppedUnreported.add(missed, ordering: .relaxed)
                lost(failure)
                return
            }
        }
        if let failure = StandardStream.error.write(line) { lost(failure) }
    }

    private static func lost(_ failure: Errno) {
        lastFailureCode.store(failure.code, ordering: .relaxed)
        droppedTotal.add(1, ordering: .relaxed)
        droppedUnreported.add(1, ordering: .relaxed)
    }

    public static func error(_ message: @autoclosure () -> String) { write(.error, message()) }
    public static func warning(_ message: @autoclosure () -> String) { write(.warning, message()) }
    public static func notice(_ message: @autoclosure () -> String) { write(.notice, message()) }
    public static func info(_ message: @autoclosure () -> String) { write(.info, message()) }
    public static func debug(_ message: @autoclosure () -> String) { write(.debug, message()) }
}
