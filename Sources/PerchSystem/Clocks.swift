import CPerchSystem

/// Clock readings: wall time for event timestamps, monotonic time for deadlines.
public enum Clocks {
    /// Milliseconds since the Unix epoch. The corresponding C function is `clock_gettime(CLOCK_REALTIME)`.
    public static var unixMilliseconds: Int64 { perch_realtime_ns() / 1_000_000 }

    /// Nanoseconds on the monotonic clock, the clock `PthreadCondition` deadlines use.
    /// The corresponding C function is `clock_gettime(CLOCK_MONOTONIC)`.
    public static var monotonicNanoseconds: Int64 { perch_monotonic_ns() }
}
