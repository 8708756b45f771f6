import PerchDaemonCore
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// The socket API: routes requests to the daemon's state. Runs on the server's loop thread,
/// so nothing here waits: inference uploads are answered from the model's thread.
public final class APIHandler: @unchecked Sendable {
    let state: DaemonState
    let socketPath: String
    let router: HTTPRouter<Endpoint>
    let ownUID: UInt32
    /// Snapshots and MJPEG viewers (nil only if an eventfd could not be made).
    let liveView: LiveView?

    public init(state: DaemonState, socketPath: String) {
        self.state = state
        self.socketPath = socketPath
        liveView = try? LiveView(state: state)
        var router = HTTPRouter<Endpoint>()
        for endpoint in Endpoint.allCases { router.add(endpoint.method, endpoint.path, endpoint) }
        // HEAD is served wherever GET is (the server drops the body).
        for endpoint in Endpoint.allCases where endpoint.method == "GET" { router.add("HEAD", endpoint.path, endpoint) }
        self.router = router
        ownUID = Environment.userID
    }

    public func handle(_ request: HTTPRequest, _ context: RequestContext) -> HandlerResult {
        let route = router.route(method: request.method, path: request.path)
        guard case .matched(let endpoint, _) = route else {
            return .response(route.errorResponse(method: request.method, path: request.path)
                             ?? .error(.notFound, "no such resource"))
        }
        switch endpoint {
        case .status: return .response(.json(StatusJSON.status(state, socket: socketPath)))
        case .models: return .response(.json(StatusJSON.models(state.current)))
        case .resultsLatest: return .response(.json(StatusJSON.results(state.current)))
        case .metrics:
            return .response(HTTPResponse(status: .ok, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]),
                                          body: Array(Metrics.render(state).utf8)))
        case .events: return events(request, context)
        case .infer: return InferHandler.handle(request, context, pipeline: state.current)
        case .reload: return reload(context)
        case .record: return .response(RecordHandler.handle(request, pipeline: state.current))
        case .page, .snapshot, .stream, .audio, .rules:
            return ViewHandler.handle(endpoint, request, context, state: state, liveView: liveView)
        }
    }

    /// Ends the live view's MJPEG thread (after the servers have stopped).
    public func stopLiveView() {
        liveView?.stop()
    }

    private func events(_ request: HTTPRequest, _ context: RequestContext) -> HandlerResult {
        var since: UInt64? = nil
        if let text = HTTPQuery.value("since", in: request.head.query) {
            // Seqs go out as JSON integers (int64): a larger `since` was never handed out.
            guard let value = Int64(text), value >= 0 else {
                return .response(.error(.badRequest, "since must be an event sequence number (0 to 2^63-1), not '" + text + "'"))
            }
            since = UInt64(value)
        }
        let instance = HTTPQuery.value("instance", in: request.head.query)
        if let instance {
            guard InstanceID.isWellFormed(instance) else {
                return .response(.error(.badRequest, "instance must be the 32 hex digits of a perchd instance id (from /v1/status "
                                        + "or an event line), not '" + instance + "'"))
            }
            // This daemon's own seq cannot be ahead of it: the client's position conflicts
            // with the daemon's state (409, not 400: the request itself is well formed).
            if instance == state.instance, let since, since > state.bus.lastSeq {
                return .response(.error(HTTPStatus(code: 409), "since " + String(since) + " is beyond this daemon's newest event "
                                        + String(state.bus.lastSeq) + " (instance " + instance + ")"))
            }
        }
        let stream = context.makeStream()
        EventStreamer(stream: stream, bus: state.bus, instance: state.instance).start(since: since, clientInstance: instance)
        return .stream(stream, status: .ok, headers: HTTPHeaders([("Content-Type", "application/x-ndjson"),
                                                                  ("Cache-Control", "no-store")]))
    }

    private func reload(_ context: RequestContext) -> HandlerResult {
        guard context.peer.uid == 0 || context.peer.uid == ownUID else {
            return .response(.error(HTTPStatus(code: 403), "reload is allowed for root and the daemon's user only (uid "
                                    + String(ownUID) + "); you are uid " + String(context.peer.uid)))
        }
        state.requestReload()
        return .response(.json(.object([("reload", .string("requested")),
                                        ("reloads", .integer(Int64(state.reloadStatus.count)))]), status: .accepted))
    }
}
