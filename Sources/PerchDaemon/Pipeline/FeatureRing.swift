import PerchSystem

/// The newest audio feature frames (40 int8 each) of one microphone, for the models' audio
/// inputs. The microphone thread appends; inference threads copy the latest window.
public final class FeatureRing: @unchecked Sendable {
    public let frameSize: Int
    public let capacity: Int
    private let mutex = PthreadMutex()
    private var storage: [Int8]
    private var next = 0
    private var written: UInt64 = 0

    public init(frameSize: Int, capacity: Int) {
        self.frameSize = frameSize
        self.capacity = max(1, capacity)
        storage = [Int8](repeating: 0, count: frameSize * self.capacity)
    }

    public var totalFrames: UInt64 { mutex.withLock { written } }

    public func append(_ frame: UnsafeBufferPointer<Int8>) {
        mutex.withLock {
            let n = min(frame.count, frameSize)
            for i in 0..<n { storage[next * frameSize + i] = frame[i] }
            next = (next + 1) % capacity
            written += 1
        }
    }

    /// The frames appended after the first `since` (at most the ring's capacity: older ones
    /// are gone), oldest first, flattened; and the total appended so far.
    public func recent(since: UInt64) -> (total: UInt64, frames: [Int8]) {
        mutex.withLock {
            let count = Int(min(UInt64(capacity), written &- min(since, written)))
            var out = [Int8](repeating: 0, count: count * frameSize)
            for f in 0..<count {
                let slot = (next - count + f + capacity * 2) % capacity
                for i in 0..<frameSize { out[f * frameSize + i] = storage[slot * frameSize + i] }
            }
            return (written, out)
        }
    }

    /// Copies the newest `frames` frames, oldest first, into `output` (frames * frameSize
    /// bytes). Missing frames (not yet captured) are zero at the front. Returns the frames
    /// that were real.
    @discardableResult
    public func latest(_ frames: Int, into output: UnsafeMutableRawBufferPointer) -> Int {
        mutex.withLock {
            let available = Int(min(UInt64(min(frames, capacity)), written))
            let missing = frames - available
            for i in 0..<(missing * frameSize) where i < output.count { output[i] = 0 }
            for f in 0..<available {
                let slot = (next - available + f + capacity * 2) % capacity
                for i in 0..<frameSize {
                    let o = (missing + f) * frameSize + i
                    if o < output.count { output[o] = UInt8(bitPattern: storage[slot * frameSize + i]) }
                }
            }
            return available
        }
    }
}
