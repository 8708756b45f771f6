import PerchSystem

/// The newest audio feature frames (40 int8 each) of one microphone, for the models' audio
/// inputs. The microphone thread appends; inference threads copy the latest window.
public final class FeatureRing: @unchecked Sendable {
    public let frameSize: Int
    public let capacity: Int
    private let mutex = PthreadMutex()
    /// The frames' bytes, one after another: frame k is elements k * frameSize ..< (k + 1) * frameSize.
    private var ring: RingStorage<Int8>
    /// One frame, padded or cut to frameSize, before it goes into the ring.
    private var staging: [Int8]

    public init(frameSize: Int, capacity: Int) {
        precondition(frameSize > 0, "a feature frame has at least one value")
        self.frameSize = frameSize
        self.capacity = max(1, capacity)
        ring = RingStorage(capacity: frameSize * self.capacity, filler: 0)
        staging = [Int8](repeating: 0, count: frameSize)
    }

    private var writtenFrames: UInt64 { ring.written / UInt64(frameSize) }

    public var totalFrames: UInt64 { mutex.withLock { writtenFrames } }

    /// Appends one frame; a shorter one is padded with zeros, a longer one cut to frameSize.
    public func append(_ frame: UnsafeBufferPointer<Int8>) {
        mutex.withLock {
            let n = min(frame.count, frameSize)
            for i in 0..<frameSize { staging[i] = i < n ? frame[i] : 0 }
            staging.withUnsafeBufferPointer { ring.append($0) }
        }
    }

    /// The frames appended after the first `since` (at most the ring's capacity: older ones
    /// are gone), oldest first, flattened; and the total appended so far.
    public func recent(since: UInt64) -> (total: UInt64, frames: [Int8]) {
        mutex.withLock {
            let written = writtenFrames
            let count = Int(min(UInt64(capacity), written &- min(since, written)))
            var out = [Int8](repeating: 0, count: count * frameSize)
            out.withUnsafeMutableBufferPointer { _ = ring.copy(from: (written - UInt64(count)) * UInt64(frameSize), into: $0) }
            return (written, out)
        }
    }

    /// Copies the newest `frames` frames, oldest first, into `output` (frames * frameSize
    /// bytes). Missing frames (not yet captured) are zero at the front. Returns the frames
    /// that were real.
    @discardableResult
    public func latest(_ frames: Int, into output: UnsafeMutableRawBufferPointer) -> Int {
        mutex.withLock {
            // Whole frames only, as many as `output` holds.
            let fit = min(frames, output.count / frameSize)
            guard fit > 0, let base = output.baseAddress else { return 0 }
            let available = Int(min(UInt64(min(fit, capacity)), writtenFrames))
            let zeroBytes = (fit - available) * frameSize
            base.initializeMemory(as: UInt8.self, repeating: 0, count: zeroBytes)
            // Int8 may alias the tensor's UInt8 bytes (signed and unsigned variants may alias).
            let real = UnsafeMutableBufferPointer(start: (base + zeroBytes).assumingMemoryBound(to: Int8.self),
                                                  count: available * frameSize)
            _ = ring.copy(from: (writtenFrames - UInt64(available)) * UInt64(frameSize), into: real)
            return available
        }
    }
}
