import PerchSystem

/// The most recent `capacity` mono Int16 samples. The capture thread appends periods; the
/// inference thread cuts the latest N samples (a feature window) whenever it runs.
public final class AudioRingBuffer: @unchecked Sendable {
    public let capacity: Int
    private let mutex = PthreadMutex()
    private let grew = PthreadCondition()
    private var ring: RingStorage<Int16>

    public init(capacity: Int) {
        precondition(capacity > 0, "AudioRingBuffer needs room for at least one sample")
        self.capacity = capacity
        ring = RingStorage(capacity: capacity, filler: 0)
    }

    /// Appends samples; when more than `capacity` arrive at once only the last ones are kept.
    public func append(_ newSamples: UnsafeBufferPointer<Int16>) {
        mutex.withLock {
            ring.append(newSamples)
            grew.broadcast()
        }
    }

    public func append(_ newSamples: [Int16]) {
        newSamples.withUnsafeBufferPointer { append($0) }
    }

    /// Samples appended since creation, including ones already overwritten.
    public var totalSamples: UInt64 { mutex.withLock { ring.written } }

    /// The latest `count` samples, oldest first; nil until that many have arrived or when
    /// `count` exceeds the capacity.
    public func latest(_ count: Int) -> [Int16]? {
        var window = [Int16](repeating: 0, count: count)
        let ok = window.withUnsafeMutableBufferPointer { latest(into: $0) }
        return ok ? window : nil
    }

    /// Fills `window` with the latest `window.count` samples, oldest first, without
    /// allocating; returns false (leaving it untouched) when there are not enough.
    public func latest(into window: UnsafeMutableBufferPointer<Int16>) -> Bool {
        mutex.withLock {
            guard UInt64(window.count) <= ring.written else { return false }
            return ring.copy(from: ring.written - UInt64(window.count), into: window)
        }
    }

    /// The `count` samples that were the `first`-th to `first + count - 1`-th ever appended
    /// (counting from 0); nil when they have not all arrived or were already overwritten.
    public func samples(from first: UInt64, count: Int) -> [Int16]? {
        var out = [Int16](repeating: 0, count: count)
        let ok = mutex.withLock { out.withUnsafeMutableBufferPointer { ring.copy(from: first, into: $0) } }
        return ok ? out : nil
    }

    /// Waits until `totalSamples` reaches `total` or `timeoutMilliseconds` pass; returns
    /// whether it did. Lets inference wait for the next hop of audio.
    public func wait(untilTotal total: UInt64, timeoutMilliseconds: Int) -> Bool {
        let deadline = MonotonicClock.nanoseconds + Int64(max(0, timeoutMilliseconds)) * 1_000_000
        mutex.lock()
        defer { mutex.unlock() }
        while ring.written < total {
            if !grew.wait(mutex, untilMonotonicNanoseconds: deadline) { break }
        }
        return ring.written >= total
    }
}
