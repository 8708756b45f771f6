import PerchDaemonCore
import PerchHTTP
import PerchServer

/// The live view's endpoints: the page, snapshots, MJPEG streams, recent audio features and
/// the rules' thresholds and states. Answered on the loop thread; nothing here waits.
enum ViewHandler {
    static func handle(_ endpoint: Endpoint, _ request: HTTPRequest, _ context: RequestContext,
                       state: DaemonState, liveView: LiveView?) -> HandlerResult {
        let query = request.head.query
        switch endpoint {
        case .page:
            return .response(HTTPResponse(status: .ok, headers: HTTPHeaders([
                ("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-cache"),
                // Everything is inline; nothing may be loaded from elsewhere.
                ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'"),
                ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
            ]), body: WebPage.html))
        case .rules:
            return .response(.json(ViewJSON.rules(state.current)))
        case .audio:
            return audio(query, state.current)
        case .snapshot, .stream:
            guard let liveView else { return .response(.error(.serviceUnavailable, "the live view could not start")) }
            let overlayText = HTTPQuery.value("overlay", in: query)
            guard overlayText == nil || overlayText == "0" || overlayText == "1" else {
                return .response(.error(.badRequest, "overlay must be 0 or 1, not '" + overlayText! + "'"))
            }
            let overlay = overlayText == "1"
            let camera: CameraWorker
            switch liveView.camera(HTTPQuery.value("camera", in: query)) {
            case .success(let c): camera = c
            case .failure(let f): return .response(failure(f))
            }
            if endpoint == .snapshot {
                switch liveView.snapshot(camera, overlay: overlay) {
                case .success(let jpeg):
                    return .response(HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "image/jpeg"),
                                                                                     ("Cache-Control", "no-store")]), body: jpeg))
                case .failure(let f): return .response(failure(f))
                }
            }
            let limit = state.current.configuration.web.streamFramesPerSecond
            var fps = limit
            if let text = HTTPQuery.value("fps", in: query) {
                // Up to 1000 is taken and held to the limit; the document says so.
                guard let asked = Int(text), asked >= 1, asked <= 1000 else {
                    return .response(.error(.badRequest, "fps must be a whole number from 1 to 1000 (sent at most "
                                                         + String(limit) + " a second), not '" + text + "'"))
                }
                fps = min(asked, limit)
            }
            let stream = context.makeStream(bufferCap: LiveView.streamBufferCap)
            liveView.addViewer(stream, camera: camera.config.name, overlay: overlay, framesPerSecond: fps)
            return .stream(stream, status: .ok, headers: HTTPHeaders([
                ("Content-Type", "multipart/x-mixed-replace; boundary=" + LiveView.boundary), ("Cache-Control", "no-store")]))
        default:
            return .response(.error(.notFound, "no such resource"))
        }
    }

    static func failure(_ f: LiveView.Failure) -> HTTPResponse {
        switch f {
        case .noSuchCamera(let name, let known):
            return .error(.notFound, "no camera named " + name + (known.isEmpty ? "; none is configured"
                                                                   : "; cameras: " + known.joined(separator: ", ")))
        case .noFrameYet(let name):
            return .error(.serviceUnavailable, "camera " + name + " has not delivered a frame yet (see /v1/status)")
        case .encode(let message):
            return .error(.internalServerError, message)
        }
    }

    static func audio(_ query: String?, _ pipeline: Pipeline) -> HandlerResult {
        let name = HTTPQuery.value("microphone", in: query)
        guard let microphone = name.map({ n in pipeline.microphones.first { $0.config.name == n } }) ?? pipeline.microphones.first else {
            let known = pipeline.microphones.map { $0.config.name }
            return .response(.error(.notFound, "no microphone named " + (name ?? "(none given)")
                                    + (known.isEmpty ? "; none is configured" : "; microphones: " + known.joined(separator: ", "))))
        }
        var since: UInt64 = 0
        if let text = HTTPQuery.value("since", in: query) {
            // At most 2^63 - 1, as the document says (an int64 for clients in other languages).
            guard let value = UInt64(text), value <= UInt64(Int64.max) else {
                return .response(.error(.badRequest, "since must be a feature frame count (0 to 2^63-1), not '" + text + "'"))
            }
            since = value
        }
        return .response(.json(ViewJSON.audio(microphone, since: since)))
    }
}
