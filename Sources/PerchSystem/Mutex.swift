import CPerchSystem

/// A mutual-exclusion lock over `pthread_mutex_t` (Embedded Swift has no Synchronization.Mutex).
/// The mutex lives in its own allocation: pthread objects must never move in memory.
public final class PthreadMutex: @unchecked Sendable {
    let raw: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: pthread_mutex_t())
        pthread_mutex_init(raw, nil)
    }

    deinit {
        pthread_mutex_destroy(raw)
        raw.deinitialize(count: 1)
        raw.deallocate()
    }

    /// The corresponding C function is `pthread_mutex_lock`.
    public func lock() { pthread_mutex_lock(raw) }

    /// The corresponding C function is `pthread_mutex_unlock`.
    public func unlock() { pthread_mutex_unlock(raw) }

    /// Runs `body` with the mutex held.
    @inline(__always)
    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A condition variable waiting on the monotonic clock, so timeouts are not stretched or
/// cut short when the wall clock is set (NTP on a board that booted without an RTC).
public final class PthreadCondition: @unchecked Sendable {
    let raw: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(raw, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(raw)
        raw.deinitialize(count: 1)
        raw.deallocate()
    }

    /// Waits until signalled; `mutex` must be held. The corresponding C function is `pthread_cond_wait`.
    public func wait(_ mutex: PthreadMutex) { pthread_cond_wait(raw, mutex.raw) }

    /// Waits until signalled or until the monotonic clock reaches `deadline` (nanoseconds, as
    /// `perch_monotonic_ns`); `mutex` must be held. Returns false on timeout.
    /// Wake-ups may be spurious: callers re-check their condition in a loop.
    /// The corresponding C function is `pthread_cond_timedwait`.
    public func wait(_ mutex: PthreadMutex, untilMonotonicNanoseconds deadline: Int64) -> Bool {
        var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(raw, mutex.raw, &time) != ETIMEDOUT
    }

    /// Wakes one waiter. The corresponding C function is `pthread_cond_signal`.
    public func signal() { pthread_cond_signal(raw) }

    /// Wakes every waiter. The corresponding C function is `pthread_cond_broadcast`.
    public func broadcast() { pthread_cond_broadcast(raw) }
}
