import PerchHTTP

/// The server's limits; docs/api-limits.md explains each and its default.
public struct ServerConfiguration: Sendable {
    /// Request-line + header bytes (→ 431) and body bytes (→ 413).
    public var requestLimits = HTTPRequestLimits()
    /// A keep-alive connection with no request in progress is closed after this long.
    public var idleTimeoutMilliseconds: Int64 = 60_000
    /// A started request must be complete within this long, or the answer is 408 and close.
    public var readTimeoutMilliseconds: Int64 = 10_000
    /// Pending output that makes no progress for this long closes the connection.
    public var writeTimeoutMilliseconds: Int64 = 10_000
    /// Bytes a stream may have queued for a client (in the hand-off queue, and again in the
    /// connection's output). A reader that falls this far behind is cut off; the stream's
    /// owner is told (`StreamCloseReason.tooSlow`). The loop never blocks on a client.
    public var streamBufferCap = 256 * 1024
    /// Pending output above which the server stops reading further (pipelined) requests
    /// from that connection until the client has read its answers.
    public var outputHighWater = 256 * 1024
    /// Open connections beyond this get a 503 and are closed at once.
    public var maxConnections = 128
    /// On stop(): how long in-flight responses may take to drain before connections are closed.
    public var shutdownGraceMilliseconds: Int64 = 5_000

    public init() {}
}
