import PerchMedia
import PerchSystem

/// A camera's newest frame, for snapshots and MJPEG viewers. The camera thread stores the
/// copy it already makes for the models' queues (an array shared, not copied again).
final class LatestFrame: @unchecked Sendable {
    private let mutex = PthreadMutex()
    private var frame: Image? = nil
    private var count: UInt64 = 0

    func store(_ new: Image) {
        mutex.withLock {
            frame = new
            count += 1
        }
    }

    /// The newest frame and its number (1 for the first this camera object captured).
    var newest: (frame: Image, number: UInt64)? {
        mutex.withLock { frame.map { ($0, count) } }
    }
}
