import PerchDaemonCore
import PerchJSON
import PerchSystem

/// The MQTT thread: connect with backoff, poll the client's socket and the wake-up bell,
/// read/write/misc, hand queued messages over as acknowledgements make room.
extension MQTTBridge {
    func run() {
        guard let client else { return }
        let loop = LoopState()
        let encoder = SnapshotEncoder()
        client.onConnect = { code in self.connected(code, loop) }
        client.onDisconnect = { code in self.disconnected(code, loop) }
        client.onPublish = { mid in self.acknowledged(mid) }
        client.onMessage = { topic, payload in self.command(topic, payload) }
        defer {
            client.onConnect = { _ in }
            client.onDisconnect = { _ in }
            client.onPublish = { _ in }
            client.onMessage = { _, _ in }
        }
        while !mutex.withLock({ stopping }) {
            let now = MonotonicClock.nanoseconds
            if client.socket < 0 || loop.abandoned {
                if now >= loop.nextAttemptNs { attempt(client, loop, now: now) }
            } else if !loop.connected && now - loop.attemptNs > 10_000_000_000 {
                failed("no answer (CONNACK) from the broker within 10 s", loop, now: now)
                loop.abandoned = true
            }
            let fd = loop.abandoned ? -1 : client.socket
            var events = PollEvents.readable
            if fd >= 0 && client.wantsWrite { events.insert(.writable) }
            let ready = pollDescriptors([(wake.fd, .readable), (fd, events)], timeoutMilliseconds: 250)
            guard case .success(let got) = ready else {
                MonotonicClock.sleep(milliseconds: 50)
                continue
            }
            if got[0].contains(.readable) { wake.drain() }
            if fd >= 0 && !got[1].isDisjoint(with: [.readable, .hangUp, .error]) {
                do throws(MQTTError) { try client.read() } catch { lost(error, loop) }
            }
            encodePendingSnapshot(encoder)
            if loop.connected { send(client, loop) }
            if !loop.abandoned && client.socket >= 0 {
                do throws(MQTTError) {
                    if client.wantsWrite { try client.write() }
                    try client.misc()
                } catch {
                    lost(error, loop)
                }
            }
            if loop.connected { publishScores(loop, now: now) }
        }
        shutDown(client, loop)
    }

    final class LoopState {
        var connected = false
        /// The socket of an attempt that got no CONNACK: ignored until the next attempt.
        var abandoned = false
        var attemptNs: Int64 = 0
        var nextAttemptNs: Int64 = 0
        var backoffMs: Int64 = 1_000
        var nextScoresNs: Int64 = 0
    }

    private func setState(_ state: String) { mutex.withLock { status.state = state } }

    private func attempt(_ client: MosquittoClient, _ loop: LoopState, now: Int64) {
        setState("connecting")
        loop.abandoned = false
        loop.attemptNs = now
        do throws(MQTTError) {
            try client.connect(host: config.host, port: config.port, keepaliveSeconds: config.keepaliveSeconds)
        } catch {
            failed("cannot connect: " + error.message, loop, now: now)
        }
    }

    /// Counts the failure, logs it (the first time, and whenever the reason changes), and
    /// schedules the next attempt with exponential backoff (1 s doubling to 30 s).
    private func failed(_ message: String, _ loop: LoopState, now: Int64) {
        let repeated = mutex.withLock { () -> Bool in
            let same = status.lastError == message
            status.retries += 1
            status.lastError = message
            status.state = "waiting"
            return same
        }
        let text = "mqtt: broker " + config.broker + ": " + message + "; retrying in "
            + String(loop.backoffMs / 1_000) + " s"
        if repeated { Log.debug(text) } else { Log.error(text) }
        loop.connected = false
        loop.nextAttemptNs = now + loop.backoffMs * 1_000_000
        loop.backoffMs = min(loop.backoffMs * 2, 30_000)
    }

    private func connected(_ code: Int32, _ loop: LoopState) {
        let now = MonotonicClock.nanoseconds
        guard code == 0 else {
            failed(MQTTError.connack(code).message, loop, now: now)
            return
        }
        loop.connected = true
        loop.backoffMs = 1_000
        loop.nextScoresNs = 0
        let again = mutex.withLock { () -> Bool in
            status.state = "connected"
            status.connects += 1
            return status.connects > 1
        }
        Log.notice("mqtt: connected to " + config.broker + (again ? " again" : "") + " as " + topics.base)
        guard let client else { return }
        do throws(MQTTError) {
            try client.subscribe(topics.base + "/+/+/enabled/set", qos: 1)
            try client.subscribe(topics.base + "/+/infer/set", qos: 1)
            try client.subscribe(topics.homeAssistantStatus, qos: 1)
            _ = try client.publish(topic: topics.status, payload: Array("online".utf8), qos: 1, retain: true)
        } catch {
            Log.warning("mqtt: after connecting: " + error.message)
        }
        // A restarted broker may have lost every retained message: send them all again.
        outbox.markAllStatesDirty()
    }

    private func disconnected(_ code: Int32, _ loop: LoopState) {
        let was = loop.connected
        loop.connected = false
        guard code != 0, !mutex.withLock({ stopping }) else { return }
        if was { failed("connection lost: " + MQTTError.library(code).message, loop, now: MonotonicClock.nanoseconds) }
    }

    private func lost(_ error: MQTTError, _ loop: LoopState) {
        // libmosquitto has closed the socket and called onDisconnect; count it if it did not.
        if loop.connected || client?.socket ?? -1 >= 0 {
            failed("connection lost: " + error.message, loop, now: MonotonicClock.nanoseconds)
        } else if mutex.withLock({ status.state }) != "waiting" {
            failed(error.message, loop, now: MonotonicClock.nanoseconds)
        }
    }

    private func acknowledged(_ mid: Int32) {
        mutex.withLock {
            guard let seq = inflight.removeValue(forKey: mid) else { return }
            if seq > 0 { status.eventsDelivered += 1 }
        }
    }

    /// Hands queued messages to libmosquitto while fewer than `maxInflight` await their PUBACK.
    private func send(_ client: MosquittoClient, _ loop: LoopState) {
        while true {
            let room = MQTTBridge.maxInflight - mutex.withLock { inflight.count }
            guard room > 0 else { return }
            let batch = outbox.take(limit: room)
            if batch.isEmpty { return }
            for (i, message) in batch.enumerated() {
                do throws(MQTTError) {
                    let mid = try client.publish(topic: message.topic, payload: message.payload, qos: message.qos,
                                                 retain: message.retain)
                    mutex.withLock {
                        status.messagesSent += 1
                        if message.qos > 0 { inflight[mid] = message.eventSeq ?? 0 }
                    }
                } catch {
                    // The connection went: events go back in front, states are all resent on connect.
                    outbox.returnEvents(batch[i...].filter { $0.eventSeq != nil })
                    Log.warning("mqtt: publish " + message.topic + ": " + error.message)
                    return
                }
            }
        }
    }

    private func publishScores(_ loop: LoopState, now: Int64) {
        guard config.scoreIntervalMilliseconds > 0, now >= loop.nextScoresNs else { return }
        loop.nextScoresNs = now + config.scoreIntervalMilliseconds * 1_000_000
        let models = mutex.withLock { plan.models.map { $0.name } }
        for r in hooks.scores() where models.contains(r.model) {
            var members: [(String, JSONValue)] = []
            for (i, label) in r.labels.enumerated() where i < r.scores.count {
                members.append((label, .double((Double(r.scores[i]) * 1000).rounded() / 1000)))
            }
            outbox.setState(topics.scores(model: r.model), JSONValue.object(members).encoded(), qos: 0)
        }
    }

    /// `…/MODEL/LABEL/enabled/set`, `…/MODEL/infer/set`, and Home Assistant's `online`.
    private func command(_ topic: String, _ payload: [UInt8]) {
        let text = String(decoding: payload, as: UTF8.self)
        if topic == topics.homeAssistantStatus {
            if text == "online" {
                Log.info("mqtt: Home Assistant is online: discovery and states sent again")
                outbox.markAllStatesDirty()
            }
            return
        }
        guard topic.hasPrefix(topics.base + "/") else { return }
        let levels = topic.dropFirst(topics.base.utf8.count + 1).split(separator: "/").map(String.init)
        let current = mutex.withLock { plan }
        if levels.count == 4, levels[2] == "enabled", levels[3] == "set" {
            guard let l = current.labels.first(where: { $0.isRule && slug($0.model) == levels[0] && slug($0.label) == levels[1] })
            else {
                Log.warning("mqtt: " + topic + ": no published rule has this topic")
                return
            }
            guard text == "ON" || text == "OFF" else {
                Log.warning("mqtt: " + topic + ": expected ON or OFF, got " + quotedPayload(text))
                return
            }
            guard let now = hooks.setRule(l.name, text == "ON") else {
                Log.warning("mqtt: " + topic + ": rule " + l.name + " is not running")
                return
            }
            Log.notice("mqtt: rule " + l.name + " switched " + (now ? "on" : "off"))
            outbox.setState(topics.ruleEnabled(model: l.model, label: l.label), Array((now ? "ON" : "OFF").utf8))
        } else if levels.count == 3, levels[1] == "infer", levels[2] == "set" {
            guard let model = current.models.first(where: { slug($0.name) == levels[0] }) else {
                Log.warning("mqtt: " + topic + ": no model has this topic")
                return
            }
            let accepted = hooks.infer(model.name)
            let count = mutex.withLock { () -> UInt64 in
                inferRequests += 1
                return inferRequests
            }
            let ack = JSONValue.object([("requests", .integer(Int64(count))), ("accepted", .bool(accepted)),
                                        ("time_ms", .integer(WallClock.unixMilliseconds))])
            outbox.setState(topics.infer(model: model.name), ack.encoded())
        }
    }

    private func quotedPayload(_ text: String) -> String {
        "\"" + String(text.prefix(40)) + (text.count > 40 ? "…" : "") + "\""
    }

    /// `offline`, a short flush, DISCONNECT; whatever is still waiting is counted as dropped.
    private func shutDown(_ client: MosquittoClient, _ loop: LoopState) {
        if loop.connected {
            _ = try? client.publish(topic: topics.status, payload: Array("offline".utf8), qos: 1, retain: true)
            send(client, loop)
            let deadline = MonotonicClock.nanoseconds + 1_000_000_000
            while MonotonicClock.nanoseconds < deadline && loop.connected
                    && (mutex.withLock({ !inflight.isEmpty }) || client.wantsWrite) {
                let fd = client.socket
                guard fd >= 0 else { break }
                var events = PollEvents.readable
                if client.wantsWrite { events.insert(.writable) }
                _ = pollDescriptors([(fd, events)], timeoutMilliseconds: 50)
                do throws(MQTTError) {
                    try client.read()
                    if client.wantsWrite { try client.write() }
                } catch {
                    break
                }
            }
            client.disconnect()
            _ = try? client.write()
        }
        let waiting = outbox.dropPendingEvents()
        let unacknowledged = mutex.withLock { () -> Int in
            let n = inflight.values.filter { $0 > 0 }.count
            status.eventsDropped += UInt64(n)
            status.state = "stopped"
            inflight = [:]
            return n
        }
        if waiting + unacknowledged > 0 {
            Log.warning("mqtt: " + String(waiting + unacknowledged) + " events not delivered at shutdown ("
                        + String(waiting) + " queued, " + String(unacknowledged) + " unacknowledged); counted as dropped")
        }
        Log.info("mqtt: stopped")
    }
}
