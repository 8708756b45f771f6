import PerchSystem

/// A fixed-capacity FIFO between a source thread and an inference thread. Pushing into a
/// full queue drops the OLDEST element: when inference falls behind, the freshest frame is
/// the one worth analysing. Drops are counted for the results API.
public final class BoundedQueue<Element>: @unchecked Sendable {
    public let capacity: Int
    private let mutex = PthreadMutex()
    private let notEmpty = PthreadCondition()
    private var storage: [Element?]
    private var head = 0
    private var stored = 0
    private var droppedTotal: UInt64 = 0
    private var closed = false

    public init(capacity: Int) {
        precondition(capacity > 0, "BoundedQueue needs room for at least one element")
        self.capacity = capacity
        storage = [Element?](repeating: nil, count: capacity)
    }

    /// Appends `element`, dropping the oldest one if the queue is full. Returns false when
    /// something was dropped or the queue is closed (then `element` itself is dropped).
    @discardableResult
    public func push(_ element: Element) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        guard !closed else { return false }
        var droppedOne = false
        if stored == capacity {
            storage[head] = nil
            head = (head + 1) % capacity
            stored -= 1
            droppedTotal += 1
            droppedOne = true
        }
        storage[(head + stored) % capacity] = element
        stored += 1
        notEmpty.signal()
        return !droppedOne
    }

    /// Appends `element` only if there is room: for elements that must each be answered
    /// (inference jobs), where dropping one silently would leave its requester waiting.
    /// false when the queue is full or closed; nothing is dropped or counted.
    public func pushIfRoom(_ element: Element) -> Bool {
        mutex.lock()
        defer { mutex.unlock() }
        guard !closed, stored < capacity else { return false }
        storage[(head + stored) % capacity] = element
        stored += 1
        notEmpty.signal()
        return true
    }

    /// Takes the oldest element, waiting up to `timeoutMilliseconds` for one. Returns nil on
    /// timeout, or at once when the queue is closed and empty.
    public func pop(timeoutMilliseconds: Int) -> Element? {
        let deadline = MonotonicClock.nanoseconds + Int64(max(0, timeoutMilliseconds)) * 1_000_000
        mutex.lock()
        defer { mutex.unlock() }
        while stored == 0 && !closed {
            if !notEmpty.wait(mutex, untilMonotonicNanoseconds: deadline) { break }
        }
        return takeLocked()
    }

    /// Takes the oldest element without waiting.
    public func tryPop() -> Element? {
        mutex.withLock { takeLocked() }
    }

    private func takeLocked() -> Element? {
        guard stored > 0 else { return nil }
        let element = storage[head]
        storage[head] = nil
        head = (head + 1) % capacity
        stored -= 1
        return element
    }

    /// Refuses further pushes and wakes every waiting `pop`: how the pipeline shuts down.
    /// Elements already queued can still be popped.
    public func close() {
        mutex.withLock {
            closed = true
            notEmpty.broadcast()
        }
    }

    public var count: Int { mutex.withLock { stored } }

    /// True once close() was called (a nil from pop then means closed, not a timeout).
    public var isClosed: Bool { mutex.withLock { closed } }

    /// Elements dropped to make room since the queue was created.
    public var dropped: UInt64 { mutex.withLock { droppedTotal } }
}
