import CPerchSystem
import PerchDaemonCore
import PerchDevices
import PerchFrontends
import PerchHTTP
import PerchJSON
import PerchMedia
import PerchRuntime
import PerchServer
import PerchSystem

/// One camera's capture thread: frames are copied into every consuming model's queue
/// (drop-oldest). A device that fails is reopened with exponential backoff.
final class CameraWorker: @unchecked Sendable {
    let config: CameraConfig
    let status: SourceStatus
    let stop: StopFlag
    private(set) var queues: [BoundedQueue<CapturedFrame>] = []
    private var thread: Thread? = nil

    init(config: CameraConfig, stop: StopFlag) {
        self.config = config
        self.stop = stop
        status = SourceStatus(name: config.name, kind: "camera", device: config.device.description)
    }

    /// A new queue fed with this camera's frames (before `start`).
    func addConsumer(capacity: Int) -> BoundedQueue<CapturedFrame> {
        let queue = BoundedQueue<CapturedFrame>(capacity: max(1, capacity))
        queues.append(queue)
        return queue
    }

    func start() throws(Errno) {
        let worker = self
        thread = try Thread.spawn { worker.run() }
    }

    func join() {
        thread?.join()
        thread = nil
        for queue in queues { queue.close() }
    }

    private func run() {
        var backoff = Backoff()
        while !stop.isSet {
            let source = SourceFactory.camera(config)
            do throws(DeviceError) {
                try source.start()
            } catch {
                let delay = backoff.nextDelayMs()
                Log.warning("camera " + config.name + ": " + error.description + "; retrying in " + String(delay) + " ms")
                status.fail(error.description, state: error.isRecoverable ? "waiting" : "failed", retry: true)
                if stop.sleep(milliseconds: delay) { break }
                continue
            }
            backoff.reset()
            status.set(state: "running")
            Log.info("camera " + config.name + ": " + source.format.description)
            capture(source)
            source.stop()
        }
        status.set(state: "stopped")
    }

    private func capture(_ source: FrameSource) {
        while !stop.isSet {
            do throws(DeviceError) {
                let queues = self.queues
                let status = self.status
                _ = try source.nextFrame(timeoutMs: 500) { frame in
                    status.addFrames(1)
                    guard !queues.isEmpty else { return }
                    let copy = CapturedFrame(frame)
                    for queue in queues { _ = queue.push(copy) }
                }
            } catch {
                Log.warning("camera " + config.name + ": " + error.description)
                status.fail(error.description, state: "waiting", retry: false)
                return
            }
        }
    }
}
