import PerchHTTP
import PerchSystem

extension HTTPServer {
    /// Readiness on a client socket.
    func handleEvents(_ events: Epoll.Events, on connection: Connection) {
        let now = MonotonicClock.milliseconds
        if events.contains(.error) || (events.contains(.hangUp) && !events.contains(.readable)) {
            return close(connection, reason: .peerClosed)
        }
        if events.contains(.peerClosed) {
            // A stream's reader went away: nothing more will be read from this socket.
            if connection.stream != nil { return close(connection, reason: .peerClosed) }
            connection.peerShutDown = true
        }
        if events.contains(.readable) && connection.wantsInput(outputHighWater: configuration.outputHighWater) {
            readInput(connection, now: now)
            guard connections[connection.id] != nil else { return }
        }
        service(connection, now: now)
    }

    /// One bounded read per readiness event (level-triggered epoll brings us back for more).
    private func readInput(_ connection: Connection, now: Int64) {
        let result = readBuffer.withUnsafeMutableBytes { buffer -> Result<Int?, Errno> in
            do throws(Errno) {
                return .success(try Socket.receive(connection.fd, into: buffer))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .failure:
            // ECONNRESET and the like: nothing more will come, nothing can be sent.
            connection.inputEnded = true
            connection.closeAfterFlush = true
        case .success(.none): return
        case .success(.some(let count)) where count == 0:
            connection.inputEnded = true
        case .success(.some(let count)):
            connection.lastActivity = now
            readBuffer.withUnsafeBytes { connection.parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// Answers complete requests, writes, closes when done, and updates the epoll interest.
    func service(_ connection: Connection, now: Int64) {
        while connection.wantsInput(outputHighWater: configuration.outputHighWater) || connection.inputEnded
                && connection.stream == nil && !connection.closeAfterFlush {
            guard answerNextRequest(connection, now: now) else { break }
        }
        do throws(Errno) {
            try connection.flush(now: now)
        } catch {
            // EPIPE / ECONNRESET: the client is gone.
            return close(connection, reason: .peerClosed)
        }
        if let stream = connection.stream { mailbox.reportBacklog(stream, connection.pendingOutput) }
        let idle = connection.pendingOutput == 0 && connection.stream == nil
        if idle && (connection.closeAfterFlush || connection.inputEnded) {
            return close(connection, reason: .peerClosed)
        }
        updateInterest(connection)
    }

    /// Takes one parser event; false when nothing more can be done now.
    private func answerNextRequest(_ connection: Connection, now: Int64) -> Bool {
        switch connection.parser.next() {
        case .needMoreData:
            if connection.parser.hasPartialRequest {
                if connection.partialSince == nil { connection.partialSince = now }
                // Input ended mid-request: nothing will complete it.
                if connection.inputEnded { connection.closeAfterFlush = true }
            } else {
                connection.partialSince = nil
            }
            return false
        case .continueExpected:
            connection.enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), now: now)
            return true
        case .error(let error):
            Log.info("connection " + String(connection.id) + ": " + String(error.status.code) + " " + error.message)
            connection.enqueue(HTTPResponse.error(error.status, error.message).encoded(keepAlive: false), now: now)
            connection.closeAfterFlush = true
            return false
        case .request(let request):
            connection.partialSince = nil
            dispatch(request, on: connection, now: now)
            return true
        }
    }

    private func dispatch(_ request: HTTPRequest, on connection: Connection, now: Int64) {
        let keepAlive = request.head.keepAlive && !stopping
        let context = RequestContext(connectionID: connection.id, peer: connection.peer, transport: transport, mailbox: mailbox)
        switch handler(request, context) {
        case .response(var response):
            // A 1.0 client keeps the connection only if the answer says so (RFC 9112 §C.2.2).
            if keepAlive && request.head.version == .http1_0 { response.headers.set("Connection", "keep-alive") }
            connection.enqueue(response.encoded(keepAlive: keepAlive, includeBody: request.method != "HEAD"), now: now)
            if !keepAlive { connection.closeAfterFlush = true }
        case .stream(let stream, let status, var headers):
            // Not `isOpen`: another thread may already have sent the whole body and finished
            // (an upload's inference can take less time than this handler's return); those
            // messages wait in the mailbox and are delivered once the stream is attached.
            guard stream.connectionID == connection.id, !stream.hasEnded else {
                let response = HTTPResponse.error(.internalServerError, "handler returned a stream of another request, or one already ended")
                connection.enqueue(response.encoded(keepAlive: keepAlive), now: now)
                return
            }
            let framing = HTTPStreamFraming.forVersion(request.head.version)
            if !keepAlive { headers.set("Connection", "close") }
            connection.enqueue(framing.encodeHead(status: status, headers: headers), now: now)
            connection.stream = stream
            connection.streamFraming = framing
            connection.keepAliveAfterStream = keepAlive && framing == .chunked
        }
    }

    func updateInterest(_ connection: Connection) {
        var wanted: Epoll.Events = []
        if connection.wantsInput(outputHighWater: configuration.outputHighWater) { wanted.insert(.readable) }
        if connection.pendingOutput > 0 { wanted.insert(.writable) }
        if !connection.peerShutDown { wanted.insert(.peerClosed) }
        guard wanted != connection.interest else { return }
        do throws(Errno) {
            try epoll.modify(connection.fd, events: wanted, token: connection.id)
            connection.interest = wanted
        } catch {
            close(connection, reason: .peerClosed)
        }
    }

    /// Moves stream bytes handed over by other threads into their connections.
    func deliverMailbox() {
        let now = MonotonicClock.milliseconds
        let (messages, stop) = mailbox.takeAll()
        var touched: [Connection] = []
        for entry in messages {
            guard let connection = connections[entry.stream.connectionID], connection.stream === entry.stream else {
                // The connection is gone (its owner was told), or the stream was made but
                // never returned in `.stream`: tell the owner once, so it stops sending.
                mailbox.reportClosed(entry.stream, .peerClosed)
                continue
            }
            switch entry.message {
            case .data(let bytes):
                connection.enqueue(connection.streamFraming.encodeBodyPart(bytes), now: now)
                if connection.pendingOutput > entry.stream.bufferCap {
                    close(connection, reason: .tooSlow)
                    continue
                }
            case .finish:
                connection.enqueue(connection.streamFraming.endOfBody, now: now)
                connection.stream = nil
                if !connection.keepAliveAfterStream { connection.closeAfterFlush = true }
                mailbox.reportClosed(entry.stream, .finished)
            case .cutOff:
                close(connection, reason: .tooSlow)
                continue
            }
            if !touched.contains(where: { $0 === connection }) { touched.append(connection) }
        }
        for connection in touched where connections[connection.id] != nil { service(connection, now: now) }
        if stop { beginStopping(now: now) }
    }

    /// Idle, read and write timeouts, checked every tick.
    func enforceTimeouts(now: Int64) {
        for connection in Array(connections.values) {
            if connection.pendingOutput > 0 {
                if now - connection.lastWriteProgress > configuration.writeTimeoutMilliseconds {
                    Log.info("connection " + String(connection.id) + ": write timeout")
                    close(connection, reason: .timedOut)
                }
            } else if connection.stream != nil || connection.closeAfterFlush {
                continue
            } else if let since = connection.partialSince {
                if now - since > configuration.readTimeoutMilliseconds {
                    let response = HTTPResponse.error(.requestTimeout, "request not completed in time")
                    connection.enqueue(response.encoded(keepAlive: false), now: now)
                    connection.closeAfterFlush = true
                    service(connection, now: now)
                }
            } else if now - connection.lastActivity > configuration.idleTimeoutMilliseconds {
                close(connection, reason: .peerClosed)
            }
        }
    }
}
