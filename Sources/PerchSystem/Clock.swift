import CPerchSystem

/// Monotonic time and sleeping, for pacing synthetic sources and retry backoff.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary start. The corresponding C function is `clock_gettime`.
    public static var nanoseconds: Int64 { perch_monotonic_ns() }

    public static var milliseconds: Int64 { perch_monotonic_ns() / 1_000_000 }

    /// Sleeps for `nanoseconds`, resuming after signals. The corresponding C function is `nanosleep`.
    public static func sleep(nanoseconds: Int64) {
        guard nanoseconds > 0 else { return }
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        // nanosleep reports the unslept time on EINTR: continue with that, not the full time.
        while nanosleep(&request, &remaining) == -1 && perch_errno() == EINTR {
            request = remaining
        }
    }

    public static func sleep(milliseconds: Int) {
        sleep(nanoseconds: Int64(milliseconds) * 1_000_000)
    }

    /// Sleeps until the monotonic clock reaches `deadline` (nanoseconds).
    public static func sleep(until deadline: Int64) {
        sleep(nanoseconds: deadline - nanoseconds)
    }
}

/// Wall-clock time, for event timestamps people read (never for deadlines: it jumps).
public enum WallClock {
    /// Milliseconds since the Unix epoch. The corresponding C function is `clock_gettime(CLOCK_REALTIME)`.
    public static var unixMilliseconds: Int64 { perch_realtime_ns() / 1_000_000 }
}
