import PerchDaemonCore
import PerchJPEG
import PerchMedia
import PerchSystem

/// A camera frame waiting to become the snapshot of the event it started.
public struct SnapshotFrame: Sendable {
    public var image: Image
    public var event: Event

    public init(image: Image, event: Event) {
        self.image = image
        self.event = event
    }
}

/// Turns the one pending frame into a JPEG on the MQTT thread (never on an inference
/// thread): encoding a large frame takes milliseconds that inference should not wait for.
final class SnapshotEncoder {
    private var encoder: JPEGEncoder? = nil
    private var failedOnce = false

    func encode(_ frame: SnapshotFrame) -> [UInt8]? {
        do throws(JPEGError) {
            if encoder == nil { encoder = try JPEGEncoder(quality: 80) }
            guard let encoder else { return nil }
            return try encoder.encode(frame.image)
        } catch {
            // Once per run: a camera format the encoder refuses would otherwise log every event.
            if !failedOnce { Log.warning("mqtt: snapshot of event #" + String(frame.event.seq) + ": " + error.description) }
            failedOnce = true
            return nil
        }
    }
}
