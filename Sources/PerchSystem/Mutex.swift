import CPerchSystem

/// A mutual-exclusion lock over `pthread_mutex_t` (Embedded Swift has no Synchronization
/// Mutex). The pthread mutex lives in its own allocation: it must never move.
public final class Mutex: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let result = pthread_mutex_init(mutex, nil)
        precondition(result == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// The corresponding C function is `pthread_mutex_lock`.
    public func lock() { pthread_mutex_lock(mutex) }

    /// The corresponding C function is `pthread_mutex_unlock`.
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
