import CPerchSystem

/// A signal perchd acts on.
public enum DaemonSignal: Sendable {
    case reload      // SIGHUP
    case terminate   // SIGTERM
    case interrupt   // SIGINT
}

/// perchd's signals: blocked in every thread and taken by one thread (the main loop), so no
/// handler runs at an arbitrary point of another thread.
public enum DaemonSignals {
    /// Blocks SIGHUP, SIGTERM and SIGINT in the calling thread (threads created later inherit
    /// the mask) and ignores SIGPIPE. Call before any thread starts. The corresponding C
    /// functions are `pthread_sigmask` and `signal`.
    @discardableResult
    public static func block() -> Errno? {
        let code = perch_block_daemon_signals()
        return code == 0 ? nil : Errno(code)
    }

    /// The next pending signal, or nil when none came within `milliseconds`. The
    /// corresponding C function is `sigtimedwait`.
    public static func wait(milliseconds: Int32) -> DaemonSignal? {
        switch perch_wait_daemon_signal(milliseconds) {
        case PERCH_SIGHUP: return .reload
        case PERCH_SIGTERM: return .terminate
        case PERCH_SIGINT: return .interrupt
        default: return nil
        }
    }

    /// Sends this process SIGHUP (a reload requested over the API). The corresponding C
    /// function is `kill`.
    public static func raiseReload() {
        _ = perch_raise_reload()
    }
}
