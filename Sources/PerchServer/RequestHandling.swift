import PerchHTTP
import PerchSystem

/// What a handler answers.
public enum HandlerResult {
    /// A complete response.
    case response(HTTPResponse)
    /// A streamed response: the head now, body pieces later through `stream` (made with
    /// `context.makeStream()`), from any thread.
    case stream(ResponseStream, status: HTTPStatus, headers: HTTPHeaders)
}

/// Called on the server's loop thread for each request, so it must not block: long work
/// belongs on another thread, answered through a stream or a later request.
public typealias RequestHandler = (HTTPRequest, RequestContext) -> HandlerResult

/// Who asked, and the means to answer later.
public struct RequestContext {
    public let connectionID: UInt64
    /// The client's uid/gid/pid (SO_PEERCRED), for authorisation decisions.
    public let peer: PeerCredentials
    let mailbox: StreamMailbox

    /// A stream bound to this request's connection; return it in `.stream`.
    public func makeStream() -> ResponseStream {
        ResponseStream(connectionID: connectionID, mailbox: mailbox)
    }
}
