import PerchSystem

/// `[socket]`: the Unix socket the API listens on.
public struct SocketConfig: Equatable, Sendable {
    public var path: String = "/run/perch/perchd.sock"
    public var mode: UInt32 = 0o660
    /// Group owning the socket; nil keeps the daemon's group.
    public var group: String? = nil

    public init() {}
}

/// `[daemon]`: process-wide settings.
public struct DaemonConfig: Equatable, Sendable {
    public var logLevel: LogLevel = .info
    /// Events kept in memory for `replay(since:)`.
    public var eventBuffer: Int = 256
    /// Frames waiting per model before the oldest is dropped.
    public var frameQueue: Int = 2

    public init() {}
}
