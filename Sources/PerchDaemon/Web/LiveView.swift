import PerchDaemonCore
import PerchFrontends
import PerchJPEG
import PerchMedia
import PerchServer
import PerchSystem

/// Snapshots and MJPEG viewers of the cameras. Outlives reloads (cameras are looked up by
/// name in the pipeline running now). One thread sends MJPEG parts: each new frame is
/// encoded once per variant (plain, with overlay) and the same bytes go to every viewer
/// that is due and has written out its previous part; a viewer still busy with its last
/// part is skipped ahead to a newer frame, so at most one part per viewer is ever queued.
final class LiveView: @unchecked Sendable {
    static let boundary = "perchframe"
    /// An MJPEG stream's queue limit: one large frame fits; a second never queues (see above).
    static let streamBufferCap = 8 * 1024 * 1024

    struct Viewer {
        let stream: ResponseStream
        let camera: String
        let overlay: Bool
        let intervalNs: Int64
        var dueNs: Int64
        var lastFrame: (camera: ObjectIdentifier, number: UInt64)? = nil
    }

    let state: DaemonState
    private let mutex = PthreadMutex()
    private var viewers: [Viewer] = []
    private var stopping = false
    private let bell: EventFD
    /// One encoder for every thread (snapshots come from the servers' loop threads).
    private let encoderMutex = PthreadMutex()
    private var encoder: JPEGEncoder? = nil
    private var cache: [(key: String, frame: ObjectIdentifier, number: UInt64, jpeg: [UInt8])] = []
    private var thread: Thread? = nil
    private var threadStarting = false
    /// Parts sent and skipped (a viewer still writing its previous one), for /v1/metrics-like figures.
    private(set) var partsSent: UInt64 = 0
    private(set) var partsSkipped: UInt64 = 0

    init(state: DaemonState) throws(Errno) {
        self.state = state
        bell = try EventFD()
    }

    /// Ends the sending thread (started by the first viewer); viewers' streams are finished.
    func stop() {
        let running = mutex.withLock { () -> Thread? in
            stopping = true
            return thread
        }
        bell.signal()
        running?.join()
    }

    var viewerCount: Int { mutex.withLock { viewers.count } }
    var counters: (sent: UInt64, skipped: UInt64) { mutex.withLock { (partsSent, partsSkipped) } }

    // MARK: requests (any thread)

    enum Failure: Error {
        case noSuchCamera(String, known: [String])
        case noFrameYet(String)
        case encode(String)
    }

    /// The camera `name` names, or the first camera when nil.
    func camera(_ name: String?) -> Result<CameraWorker, Failure> {
        let cameras = state.current.cameras
        if let name {
            guard let camera = cameras.first(where: { $0.config.name == name }) else {
                return .failure(.noSuchCamera(name, known: cameras.map { $0.config.name }))
            }
            return .success(camera)
        }
        guard let first = cameras.first else { return .failure(.noSuchCamera("(none given)", known: [])) }
        return .success(first)
    }

    /// The newest frame of `camera` as JPEG, with the crop regions drawn when `overlay`.
    func snapshot(_ camera: CameraWorker, overlay: Bool) -> Result<[UInt8], Failure> {
        guard let newest = camera.latest.newest else { return .failure(.noFrameYet(camera.config.name)) }
        return jpeg(camera, newest.frame, number: newest.number, overlay: overlay)
    }

    func addViewer(_ stream: ResponseStream, camera: String, overlay: Bool, framesPerSecond: Int) {
        let interval = 1_000_000_000 / Int64(max(1, framesPerSecond))
        let startThread = mutex.withLock { () -> Bool in
            viewers.append(Viewer(stream: stream, camera: camera, overlay: overlay, intervalNs: interval,
                                  dueNs: MonotonicClock.nanoseconds))
            // Two servers' loop threads may add viewers at once: one of them starts it.
            guard thread == nil && !threadStarting && !stopping else { return false }
            threadStarting = true
            return true
        }
        if startThread {
            // No thread until someone watches: a daemon nobody views pays nothing.
            let view = self
            do throws(Errno) {
                let started = try Thread.spawn { view.run() }
                mutex.withLock {
                    thread = started
                    threadStarting = false
                }
            } catch {
                Log.error("live view: cannot start the MJPEG thread: " + error.description)
                mutex.withLock { threadStarting = false }
                stream.finish()
            }
        }
        bell.signal()
    }

    /// The models' crop regions on `camera` for a frame of this size.
    func cropRegions(_ camera: String, _ frame: Image) -> [PixelRect] {
        var rects: [PixelRect] = []
        for model in state.current.models {
            for input in model.imageInputs where input.source == camera {
                let g = input.pipeline.geometry
                if let r = try? input.pipeline.region.resolve(frameWidth: frame.width, frameHeight: frame.height,
                                                              targetWidth: g.width, targetHeight: g.height,
                                                              format: frame.format) {
                    rects.append(r)
                }
            }
        }
        return rects
    }

    private func jpeg(_ camera: CameraWorker, _ frame: Image, number: UInt64, overlay: Bool) -> Result<[UInt8], Failure> {
        let key = camera.config.name + (overlay ? "+overlay" : "")
        let id = ObjectIdentifier(camera.latest)
        let outlines = overlay ? cropRegions(camera.config.name, frame) : []
        let quality = state.current.configuration.web.jpegQuality
        return encoderMutex.withLock { () -> Result<[UInt8], Failure> in
            if let hit = cache.first(where: { $0.key == key && $0.frame == id && $0.number == number }) { return .success(hit.jpeg) }
            do throws(JPEGError) {
                if encoder == nil || encoder!.quality != quality { encoder = try JPEGEncoder(quality: quality) }
                let bytes = try FrameJPEG.encode(frame, outlines: outlines, with: encoder!)
                cache.removeAll { $0.key == key }
                cache.append((key, id, number, bytes))
                return .success(bytes)
            } catch {
                return .failure(.encode(error.description))
            }
        }
    }

    // MARK: the sending thread

    private func run() {
        while true {
            let now = MonotonicClock.nanoseconds
            var current: [Viewer] = []
            let stop = mutex.withLock { () -> Bool in
                viewers.removeAll { !$0.stream.isOpen }
                current = viewers
                return stopping
            }
            if stop { break }
            var nextDue = now + 1_000_000_000
            var updated: [(index: Int, viewer: Viewer)] = []
            for (index, viewer) in current.enumerated() {
                var v = viewer
                if now >= v.dueNs { serve(&v, now: now) }
                nextDue = min(nextDue, v.dueNs)
                updated.append((index, v))
            }
            mutex.withLock {
                // Viewers only ever get appended meanwhile (removal happens above, here),
                // so indices of the ones we took still match.
                for u in updated where u.index < viewers.count && viewers[u.index].stream === u.viewer.stream {
                    viewers[u.index] = u.viewer
                }
            }
            let waitMs = current.isEmpty ? 1_000 : max(1, (nextDue - MonotonicClock.nanoseconds) / 1_000_000)
            _ = pollDescriptor(bell.fd, for: .readable, timeoutMilliseconds: Int32(min(waitMs, 1_000)))
            bell.drain()
        }
        // Server shutdown ends the streams; end any left (a viewer added while stopping).
        mutex.withLock {
            for v in viewers { v.stream.finish() }
            viewers = []
        }
    }

    /// Sends `viewer` the newest frame if it is new to it and the previous part is written.
    private func serve(_ viewer: inout Viewer, now: Int64) {
        // Poll again soon when there is nothing new to send.
        let retry = now + min(viewer.intervalNs, 20_000_000)
        guard case .success(let camera) = camera(viewer.camera), let newest = camera.latest.newest else {
            viewer.dueNs = now + 200_000_000
            return
        }
        let id = ObjectIdentifier(camera.latest)
        if let last = viewer.lastFrame, last.camera == id, last.number == newest.number {
            viewer.dueNs = retry
            return
        }
        if viewer.stream.unsentBytes > 0 {
            // Still writing the last part: skip this frame rather than queue it.
            mutex.withLock { partsSkipped += 1 }
            viewer.dueNs = now + viewer.intervalNs
            return
        }
        guard case .success(let jpeg) = jpeg(camera, newest.frame, number: newest.number, overlay: viewer.overlay) else {
            viewer.dueNs = now + viewer.intervalNs
            return
        }
        var part = Array(("--" + LiveView.boundary + "\r\nContent-Type: image/jpeg\r\nContent-Length: "
                          + String(jpeg.count) + "\r\n\r\n").utf8)
        part.reserveCapacity(part.count + jpeg.count + 2)
        part += jpeg
        part += [13, 10]
        _ = viewer.stream.send(part)
        mutex.withLock { partsSent += 1 }
        viewer.lastFrame = (id, newest.number)
        viewer.dueNs = now + viewer.intervalNs
    }
}
