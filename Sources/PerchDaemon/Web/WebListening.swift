import PerchDaemonCore
import PerchServer
import PerchSystem

/// Opens the `[web]` TCP listener and its server thread: the token first, so a missing
/// token file stops the start before anything listens.
enum WebListening {
    static func start(_ web: WebConfig, address: WebAddress, _ api: APIHandler)
        -> Result<(listener: TCPListener, serving: ServingThread), PipelineError> {
        var token: String? = nil
        if let path = web.tokenFile {
            switch WebAccess.readToken(path) {
            case .success(let t): token = t
            case .failure(let e): return .failure(PipelineError([e.message]))
            }
        }
        let listener: TCPListener
        do throws(ServerError) {
            listener = try TCPListener.bind(host: address.host, port: address.port)
        } catch {
            return .failure(PipelineError(["web.listen " + address.description + ": " + error.description]))
        }
        switch ServingThread.start(tcp: listener, api, access: WebAccess(token: token)) {
        case .success(let serving):
            Log.notice("live view on http://" + listener.address + "/ (read-only API"
                       + (token == nil ? ", no token: anyone who can reach this address can watch)" : ", token required)"))
            return .success((listener, serving))
        case .failure(let e):
            listener.close()
            return .failure(e)
        }
    }
}
