import PerchSystem

/// A stop request shared by a pipeline's threads, with an interruptible sleep.
public final class StopFlag: @unchecked Sendable {
    private let mutex = PthreadMutex()
    private let condition = PthreadCondition()
    private var stopped = false

    public init() {}

    public var isSet: Bool { mutex.withLock { stopped } }

    public func set() {
        mutex.withLock { stopped = true }
        condition.broadcast()
    }

    /// Sleeps up to `milliseconds`; returns true when stop was requested meanwhile.
    public func sleep(milliseconds: Int64) -> Bool {
        let deadline = MonotonicClock.nanoseconds + milliseconds * 1_000_000
        mutex.lock()
        defer { mutex.unlock() }
        while !stopped {
            if !condition.wait(mutex, untilMonotonicNanoseconds: deadline) { break }
        }
        return stopped
    }
}
