import PerchSystem

/// Why a response stream ended.
public enum StreamCloseReason: Sendable, Equatable {
    /// The owner called `finish()`; the body was terminated properly.
    case finished
    /// The client disconnected.
    case peerClosed
    /// The client read too slowly: its queued bytes passed `streamBufferCap`.
    case tooSlow
    /// Queued output made no progress within the write timeout.
    case timedOut
    /// The server is shutting down.
    case serverStopping

    public var description: String {
        switch self {
        case .finished: return "finished"
        case .peerClosed: return "peer closed"
        case .tooSlow: return "client too slow"
        case .timedOut: return "write timeout"
        case .serverStopping: return "server stopping"
        }
    }
}

/// A streamed response body (the NDJSON event stream), fed from any thread. Bytes go
/// through a mutex-protected queue and an eventfd wake-up to the loop thread, which frames
/// and writes them; `send` never blocks on the client.
public final class ResponseStream: @unchecked Sendable {
    public let connectionID: UInt64
    let mailbox: StreamMailbox
    /// Bytes this stream may have queued before its client counts as too slow.
    public let bufferCap: Int
    // Guarded by mailbox.mutex:
    var open = true
    var queuedBytes = 0
    /// Bytes handed to the connection and not yet written to the socket (the loop's count).
    var backlog = 0
    var closeHandler: (@Sendable (StreamCloseReason) -> Void)? = nil
    var closeReason: StreamCloseReason? = nil

    init(connectionID: UInt64, mailbox: StreamMailbox, bufferCap: Int) {
        self.connectionID = connectionID
        self.mailbox = mailbox
        self.bufferCap = bufferCap
    }

    /// Bytes sent and not yet written to the client's socket: 0 when it has caught up. A
    /// producer that would rather skip ahead than queue (MJPEG) sends only then.
    public var unsentBytes: Int { mailbox.mutex.withLock { queuedBytes + backlog } }

    /// Whether bytes sent now can still reach the client.
    public var isOpen: Bool { mailbox.mutex.withLock { open } }

    /// Whether the loop has already ended this stream (its owner was told). A stream its
    /// producer has merely finished is not ended yet: its body is still in the mailbox.
    var hasEnded: Bool { mailbox.mutex.withLock { closeReason != nil } }

    /// Calls `handler` once when the stream ends, for whatever reason, on the server's loop
    /// thread (keep it short; it must not call back into blocking work). If the stream has
    /// already ended it is called at once.
    public func onClose(_ handler: @escaping @Sendable (StreamCloseReason) -> Void) {
        mailbox.mutex.lock()
        let reason = closeReason
        if reason == nil { closeHandler = handler }
        mailbox.mutex.unlock()
        if let reason { handler(reason) }
    }

    /// Queues `bytes` (typically one NDJSON line). false when the stream has ended; also
    /// false, ending the stream, when the client is `streamBufferCap` bytes behind.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return isOpen }
        return mailbox.post(self, .data(bytes))
    }

    /// Ends the body (HTTP/1.1: last chunk, the connection stays usable; HTTP/1.0: close).
    public func finish() {
        _ = mailbox.post(self, .finish)
    }
}

/// The hand-off between producer threads and the loop thread.
final class StreamMailbox: @unchecked Sendable {
    enum Message {
        case data([UInt8])
        case finish
        /// The producer ran past the cap; the loop closes the connection.
        case cutOff
    }

    let mutex = PthreadMutex()
    let bell: EventFD
    let streamBufferCap: Int
    // Guarded by mutex:
    var messages: [(stream: ResponseStream, message: Message)] = []
    var stopRequested = false

    init(streamBufferCap: Int) throws(Errno) {
        bell = try EventFD()
        self.streamBufferCap = streamBufferCap
    }

    /// Queues a message; rings the bell when the queue was empty (one wake-up per batch).
    func post(_ stream: ResponseStream, _ message: Message) -> Bool {
        mutex.lock()
        guard stream.open else {
            mutex.unlock()
            return false
        }
        var accepted = true
        var toPost = message
        switch message {
        case .data(let bytes):
            stream.queuedBytes += bytes.count
            if stream.queuedBytes > stream.bufferCap {
                stream.open = false
                toPost = .cutOff
                accepted = false
            }
        case .finish, .cutOff:
            stream.open = false
        }
        let wasEmpty = messages.isEmpty
        messages.append((stream: stream, message: toPost))
        mutex.unlock()
        if wasEmpty { bell.signal() }
        return accepted
    }

    func requestStop() {
        mutex.withLock { stopRequested = true }
        bell.signal()
    }

    /// The connection's unwritten bytes after a flush. Loop thread only.
    func reportBacklog(_ stream: ResponseStream, _ bytes: Int) {
        mutex.withLock { stream.backlog = bytes }
    }

    /// Everything queued, and whether stop() was called. Loop thread only.
    func takeAll() -> (messages: [(stream: ResponseStream, message: Message)], stop: Bool) {
        bell.drain()
        mutex.lock()
        defer { mutex.unlock() }
        let taken = messages
        messages = []
        // Moved, not written: count them as backlog until the loop's flush reports the truth.
        for entry in taken {
            if case .data(let bytes) = entry.message {
                entry.stream.queuedBytes -= bytes.count
                entry.stream.backlog += bytes.count
            }
        }
        return (taken, stopRequested)
    }

    /// Marks the stream ended and tells its owner, once. Loop thread only.
    func reportClosed(_ stream: ResponseStream, _ reason: StreamCloseReason) {
        mutex.lock()
        stream.open = false
        let handler = stream.closeReason == nil ? stream.closeHandler : nil
        if stream.closeReason == nil { stream.closeReason = reason }
        stream.closeHandler = nil
        mutex.unlock()
        handler?(reason)
    }
}
