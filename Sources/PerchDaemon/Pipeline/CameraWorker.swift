import PerchDaemonCore
import PerchDevices
import PerchMedia
import PerchSystem

/// One camera's capture thread: frames are copied into every consuming model's queue
/// (drop-oldest). A device that fails is reopened with exponential backoff.
final class CameraWorker: @unchecked Sendable {
    let config: CameraConfig
    let status: SourceStatus
    let stop: StopFlag
    /// The newest frame, for the live view (snapshots, MJPEG).
    let latest = LatestFrame()
    private(set) var queues: [BoundedQueue<Image>] = []
    private var thread: Thread? = nil

    init(config: CameraConfig, stop: StopFlag) {
        self.config = config
        self.stop = stop
        status = SourceStatus(name: config.name, kind: "camera", device: config.device.description)
    }

    /// A new queue fed with this camera's frames (before `start`).
    func addConsumer(capacity: Int) -> BoundedQueue<Image> {
        let queue = BoundedQueue<Image>(capacity: max(1, capacity))
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
        let config = self.config
        superviseSource(kind: "camera", name: config.name, status: status, stop: stop,
                        make: { SourceFactory.camera(config) },
                        start: { (source: any FrameSource) throws(DeviceError) in try source.start() },
                        describe: { $0.format.description },
                        capture: { self.capture($0) },
                        close: { $0.stop() })
    }

    private func capture(_ source: FrameSource) {
        while !stop.isSet {
            do throws(DeviceError) {
                let queues = self.queues
                let status = self.status
                let latest = self.latest
                _ = try source.nextFrame(timeoutMs: 500) { frame in
                    status.addFrames(1)
                    let copy = Image(copying: frame.view)
                    latest.store(copy)
                    for queue in queues { _ = queue.push(copy) }
                }
                status.follow(source.state, error: source.lastError, reconnects: source.statistics.reconnects)
            } catch {
                Log.warning("camera " + config.name + ": " + error.description)
                status.fail(error.description, state: "waiting", retry: false)
                return
            }
        }
    }
}
