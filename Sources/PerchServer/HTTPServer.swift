import PerchHTTP
import PerchSystem

/// An HTTP/1.1 server on a Unix socket (or, for `[web]`, a TCP socket): one thread, one
/// epoll loop, non-blocking sockets. `run()` blocks the calling thread until `stop()`
/// (callable from any thread) has let in-flight responses drain. Handlers run on the loop thread.
public final class HTTPServer: @unchecked Sendable {
    /// The listening socket; `listenerOwner` keeps its object (and so the fd) alive.
    let listenerFD: Int32
    let listenerOwner: AnyObject
    let transport: Transport
    let configuration: ServerConfiguration
    let handler: RequestHandler
    let epoll: Epoll
    let mailbox: StreamMailbox

    // Loop thread only:
    var connections: [UInt64: Connection] = [:]
    var nextConnectionID: UInt64 = firstConnectionToken
    var readBuffer: [UInt8]
    var stopping = false
    var stopDeadline: Int64 = 0
    var acceptPausedUntil: Int64? = nil

    static let listenerToken: UInt64 = 0
    static let bellToken: UInt64 = 1
    static let firstConnectionToken: UInt64 = 2
    /// How often deadlines are checked: the timeouts' resolution.
    static let tickMilliseconds: Int32 = 250

    public convenience init(listener: UnixListener, configuration: ServerConfiguration = ServerConfiguration(),
                            handler: @escaping RequestHandler) throws(ServerError) {
        try self.init(fd: listener.fd, owner: listener, transport: .unix, configuration: configuration, handler: handler)
    }

    /// A server on a TCP listener: requests carry `transport == .tcp` and no peer credentials.
    public convenience init(tcp listener: TCPListener, configuration: ServerConfiguration = ServerConfiguration(),
                            handler: @escaping RequestHandler) throws(ServerError) {
        try self.init(fd: listener.fd, owner: listener, transport: .tcp, configuration: configuration, handler: handler)
    }

    private init(fd: Int32, owner: AnyObject, transport: Transport, configuration: ServerConfiguration,
                 handler: @escaping RequestHandler) throws(ServerError) {
        listenerFD = fd
        listenerOwner = owner
        self.transport = transport
        self.configuration = configuration
        self.handler = handler
        epoll = try withErrno("epoll_create1") { () throws(Errno) in try Epoll() }
        mailbox = try withErrno("eventfd") { () throws(Errno) in try StreamMailbox(streamBufferCap: configuration.streamBufferCap) }
        readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    }

    /// Asks the loop to stop: no new connections, in-flight responses are written (for up
    /// to the shutdown grace period), streams are ended, then `run()` returns. Any thread.
    public func stop() {
        mailbox.requestStop()
    }

    /// Serves until `stop()`; call it once, on the thread that is to be the loop thread.
    /// Throws only when the loop itself cannot go on (epoll fails).
    public func run() throws(ServerError) {
        try withErrno("epoll_ctl listener") { () throws(Errno) in
            try epoll.add(listenerFD, events: .readable, token: HTTPServer.listenerToken)
        }
        try withErrno("epoll_ctl eventfd") { () throws(Errno) in
            try epoll.add(mailbox.bell.fd, events: .readable, token: HTTPServer.bellToken)
        }
        defer { _ = try? epoll.remove(mailbox.bell.fd) }
        var events = [UInt32](repeating: 0, count: 64)
        var tokens = [UInt64](repeating: 0, count: 64)
        var lastSweep = MonotonicClock.milliseconds
        while true {
            let timeout = connections.isEmpty && acceptPausedUntil == nil && !stopping ? -1 : HTTPServer.tickMilliseconds
            let count = try withErrno("epoll_wait") { () throws(Errno) in
                try epoll.wait(events: &events, tokens: &tokens, timeoutMilliseconds: timeout)
            }
            for i in 0..<count {
                switch tokens[i] {
                case HTTPServer.listenerToken: acceptConnections()
                case HTTPServer.bellToken: deliverMailbox()
                default:
                    if let connection = connections[tokens[i]] {
                        handleEvents(Epoll.Events(rawValue: events[i]), on: connection)
                    }
                }
            }
            let now = MonotonicClock.milliseconds
            if now - lastSweep >= Int64(HTTPServer.tickMilliseconds) || count == 0 {
                lastSweep = now
                enforceTimeouts(now: now)
                resumeAcceptingIfDue(now: now)
            }
            if stopping && (connections.isEmpty || now >= stopDeadline) {
                for connection in Array(connections.values) { close(connection, reason: .serverStopping) }
                return
            }
        }
    }

    // MARK: accepting

    func acceptConnections() {
        while !stopping {
            let fd: Int32
            do throws(Errno) {
                guard let accepted = try Socket.accept(listenerFD) else { return }
                fd = accepted
            } catch {
                // EMFILE and friends: level-triggered epoll would report the listener again
                // at once; stop listening for a moment instead of spinning.
                Log.warning("accept: " + error.description + "; pausing accepts for 100 ms")
                _ = try? epoll.remove(listenerFD)
                acceptPausedUntil = MonotonicClock.milliseconds + 100
                return
            }
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        let now = MonotonicClock.milliseconds
        guard connections.count < configuration.maxConnections else {
            // Best effort: a small answer fits in an empty socket buffer.
            let answer = HTTPResponse.error(.serviceUnavailable, "too many connections").encoded(keepAlive: false)
            _ = answer.withUnsafeBytes { try? Socket.send(fd, $0) }
            Socket.close(fd)
            return
        }
        let peer: PeerCredentials
        switch transport {
        case .unix:
            guard let credentials = try? Socket.peerCredentials(fd) else {
                Socket.close(fd)
                return
            }
            peer = credentials
        case .tcp:
            peer = .none
            _ = try? Socket.setNoDelay(fd)
        }
        let interest: Epoll.Events = [.readable, .peerClosed]
        let connection = Connection(id: nextConnectionID, fd: fd, peer: peer,
                                    limits: configuration.requestLimits, now: now, interest: interest)
        nextConnectionID += 1
        do throws(Errno) {
            try epoll.add(fd, events: interest, token: connection.id)
        } catch {
            Log.warning("epoll_ctl: " + error.description)
            Socket.close(fd)
            return
        }
        connections[connection.id] = connection
    }

    private func resumeAcceptingIfDue(now: Int64) {
        guard let until = acceptPausedUntil, now >= until, !stopping else { return }
        acceptPausedUntil = nil
        _ = try? epoll.add(listenerFD, events: .readable, token: HTTPServer.listenerToken)
    }

    // MARK: closing

    func close(_ connection: Connection, reason: StreamCloseReason) {
        _ = try? epoll.remove(connection.fd)
        Socket.close(connection.fd)
        connections[connection.id] = nil
        if let stream = connection.stream {
            connection.stream = nil
            mailbox.reportClosed(stream, reason)
        }
    }

    /// Stop accepting; end streams; close what is idle; let the rest drain until the deadline.
    func beginStopping(now: Int64) {
        guard !stopping else { return }
        stopping = true
        stopDeadline = now + configuration.shutdownGraceMilliseconds
        _ = try? epoll.remove(listenerFD)
        for connection in Array(connections.values) {
            if let stream = connection.stream {
                connection.enqueue(connection.streamFraming.endOfBody, now: now)
                connection.stream = nil
                mailbox.reportClosed(stream, .serverStopping)
            }
            connection.closeAfterFlush = true
            service(connection, now: now)
        }
    }
}

