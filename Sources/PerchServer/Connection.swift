import PerchHTTP
import PerchSystem

/// One client connection's state. Owned and touched by the loop thread only.
final class Connection {
    let id: UInt64
    let fd: Int32
    let peer: PeerCredentials
    var parser: HTTPRequestParser

    /// Bytes to write; `outputStart` of them are already written.
    private var output: [UInt8] = []
    private var outputStart = 0

    /// The connection ends once `output` is written (Connection: close, errors, stop).
    var closeAfterFlush = false
    /// The client shut down its side; answer what was received, then close.
    var inputEnded = false
    /// EPOLLRDHUP seen: stop asking for it (level-triggered, it would fire forever).
    var peerShutDown = false

    /// The streamed response in progress; no further requests are read meanwhile.
    var stream: ResponseStream?
    var streamFraming = HTTPStreamFraming.chunked
    var keepAliveAfterStream = false

    /// Monotonic milliseconds: last byte read or written; when the current partial request
    /// began; when pending output last moved.
    var lastActivity: Int64
    var partialSince: Int64?
    var lastWriteProgress: Int64
    /// The events the epoll registration currently asks for.
    var interest: Epoll.Events

    init(id: UInt64, fd: Int32, peer: PeerCredentials, limits: HTTPRequestLimits, now: Int64, interest: Epoll.Events) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.parser = HTTPRequestParser(limits: limits)
        self.lastActivity = now
        self.lastWriteProgress = now
        self.interest = interest
    }

    var pendingOutput: Int { output.count - outputStart }

    func enqueue(_ bytes: [UInt8], now: Int64) {
        if pendingOutput == 0 {
            output.removeAll(keepingCapacity: true)
            outputStart = 0
            lastWriteProgress = now  // the write timeout counts from here
        }
        output.append(contentsOf: bytes)
    }

    /// Writes what the socket accepts without blocking.
    func flush(now: Int64) throws(Errno) {
        while pendingOutput > 0 {
            let start = outputStart
            let result = output.withUnsafeBytes { all -> Result<Int?, Errno> in
                do throws(Errno) {
                    return .success(try Socket.send(fd, UnsafeRawBufferPointer(rebasing: all[start...])))
                } catch {
                    return .failure(error)
                }
            }
            guard let written = try result.get(), written > 0 else { break }
            outputStart += written
            lastWriteProgress = now
            lastActivity = now
        }
        // Drop written bytes once they dominate, so a long stream does not grow the array.
        if outputStart > 64 * 1024 && outputStart * 2 > output.count {
            output.removeSubrange(0..<outputStart)
            outputStart = 0
        }
    }

    /// Whether to read and parse more requests now.
    func wantsInput(outputHighWater: Int) -> Bool {
        stream == nil && !closeAfterFlush && !inputEnded && pendingOutput < outputHighWater
    }
}
