import CPerchMQTT
import PerchSystem

/// A libmosquitto result that is not success: its code and the library's words for it.
public struct MQTTError: Error, Equatable, Sendable {
    public var code: Int32
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// `MOSQ_ERR_*` → "The connection was refused." (with errno's text for MOSQ_ERR_ERRNO).
    static func library(_ code: Int32) -> MQTTError {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) { return MQTTError(code: code, message: Errno.current.description) }
        return MQTTError(code: code, message: cString(mosquitto_strerror(code)))
    }

    /// A CONNACK code → "Connection Refused: not authorised."
    static func connack(_ code: Int32) -> MQTTError {
        MQTTError(code: code, message: "the broker refused the connection: " + cString(mosquitto_connack_string(code)))
    }

    public var description: String { message }
}

func cString(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(cString: pointer)
}

/// Every libmosquitto call Perch makes: one client, driven from the caller's own loop (socket,
/// loop_read/write/misc) rather than libmosquitto's thread, which can exit silently on errors.
/// Callbacks run inside `read`/`write`/`misc`, on the calling thread. Not thread-safe: one
/// thread owns it.
public final class MosquittoClient {
    private let handle: OpaquePointer
    public var onConnect: (_ connackCode: Int32) -> Void = { _ in }
    public var onDisconnect: (_ code: Int32) -> Void = { _ in }
    /// A QoS 1 message was acknowledged (QoS 0: sent).
    public var onPublish: (_ messageID: Int32) -> Void = { _ in }
    public var onMessage: (_ topic: String, _ payload: [UInt8]) -> Void = { _, _ in }

    /// The corresponding C functions are `mosquitto_lib_init` and `mosquitto_new`.
    public init(clientID: String) throws(MQTTError) {
        _ = mosquitto_lib_init()
        guard let handle = mosquitto_new(clientID, true, nil) else {
            throw MQTTError(code: -1, message: "mosquitto_new failed: " + Errno.current.description)
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        _ = mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, Int32(MQTT_PROTOCOL_V311))
        mosquitto_connect_callback_set(handle) { _, context, code in
            MosquittoClient.from(context)?.onConnect(code)
        }
        mosquitto_disconnect_callback_set(handle) { _, context, code in
            MosquittoClient.from(context)?.onDisconnect(code)
        }
        mosquitto_publish_callback_set(handle) { _, context, mid in
            MosquittoClient.from(context)?.onPublish(mid)
        }
        mosquitto_message_callback_set(handle) { _, context, message in
            guard let client = MosquittoClient.from(context), let message else { return }
            let m = message.pointee
            let payload = m.payloadlen > 0 && m.payload != nil
                ? Array(UnsafeRawBufferPointer(start: m.payload, count: Int(m.payloadlen))) : []
            client.onMessage(cString(m.topic), payload)
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MosquittoClient? {
        context.map { Unmanaged<MosquittoClient>.fromOpaque($0).takeUnretainedValue() }
    }

    private func check(_ code: Int32) throws(MQTTError) {
        if code != Int32(MOSQ_ERR_SUCCESS.rawValue) { throw MQTTError.library(code) }
    }

    /// The corresponding C function is `mosquitto_will_set`.
    public func setWill(topic: String, payload: [UInt8], retain: Bool) throws(MQTTError) {
        try check(mosquitto_will_set(handle, topic, Int32(payload.count), payload, 1, retain))
    }

    /// The corresponding C function is `mosquitto_username_pw_set`.
    public func setCredentials(username: String, password: String?) throws(MQTTError) {
        try check(mosquitto_username_pw_set(handle, username, password))
    }

    /// Server certificate checked against `caFile` (and the host name); optional client certificate.
    /// The corresponding C function is `mosquitto_tls_set`.
    public func setTLS(caFile: String, certFile: String?, keyFile: String?) throws(MQTTError) {
        try check(mosquitto_tls_set(handle, caFile, nil, certFile, keyFile, nil))
    }

    /// Opens the TCP (and TLS) connection and sends CONNECT; the CONNACK arrives through
    /// `read` as `onConnect`. Blocks for the TCP connect only. The corresponding C function
    /// is `mosquitto_connect`.
    public func connect(host: String, port: Int, keepaliveSeconds: Int) throws(MQTTError) {
        try check(mosquitto_connect(handle, host, Int32(port), Int32(keepaliveSeconds)))
    }

    /// The corresponding C function is `mosquitto_disconnect`.
    public func disconnect() { _ = mosquitto_disconnect(handle) }

    /// The connection's descriptor, -1 while there is none.
    public var socket: Int32 { mosquitto_socket(handle) }
    /// Whether outgoing bytes wait for the socket to become writable.
    public var wantsWrite: Bool { mosquitto_want_write(handle) }

    public func read() throws(MQTTError) { try check(mosquitto_loop_read(handle, 1)) }
    public func write() throws(MQTTError) { try check(mosquitto_loop_write(handle, 1)) }
    /// Keepalive pings and retries. The corresponding C function is `mosquitto_loop_misc`.
    public func misc() throws(MQTTError) { try check(mosquitto_loop_misc(handle)) }

    /// Queues a message; returns its message id (matched by `onPublish`).
    /// The corresponding C function is `mosquitto_publish`.
    public func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool) throws(MQTTError) -> Int32 {
        var mid: Int32 = 0
        try check(mosquitto_publish(handle, &mid, topic, Int32(payload.count), payload, qos, retain))
        return mid
    }

    /// The corresponding C function is `mosquitto_subscribe`.
    public func subscribe(_ pattern: String, qos: Int32) throws(MQTTError) {
        try check(mosquitto_subscribe(handle, nil, pattern, qos))
    }

    /// libmosquitto's version, e.g. `2.0.11`.
    public static var libraryVersion: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        _ = mosquitto_lib_version(&major, &minor, &revision)
        return String(major) + "." + String(minor) + "." + String(revision)
    }
}
