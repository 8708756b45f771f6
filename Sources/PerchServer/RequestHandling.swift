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

/// Which kind of socket a request came in on.
public enum Transport: Sendable, Equatable {
    /// The Unix socket: the peer's credentials are known.
    case unix
    /// The opt-in TCP listener: `peer` is `PeerCredentials.none`.
    case tcp
}

/// Who asked, and the means to answer later.
public struct RequestContext {
    public let connectionID: UInt64
    /// The client's uid/gid/pid (SO_PEERCRED), for authorisation decisions; `.none` over TCP.
    public let peer: PeerCredentials
    public var transport: Transport = .unix
    let mailbox: StreamMailbox

    /// A stream bound to this request's connection; return it in `.stream`. `bufferCap`
    /// replaces the server's `streamBufferCap` for this stream (an MJPEG part can be larger
    /// than a whole event backlog).
    public func makeStream(bufferCap: Int? = nil) -> ResponseStream {
        ResponseStream(connectionID: connectionID, mailbox: mailbox, bufferCap: bufferCap ?? mailbox.streamBufferCap)
    }
}
