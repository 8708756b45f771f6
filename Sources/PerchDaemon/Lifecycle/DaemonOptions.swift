import PerchDaemonCore

/// What perchd was asked to run, after argument parsing.
public struct DaemonOptions {
    public var configPath: String
    public var overrides: [ConfigOverride]
    /// The socket path in effect when not socket-activated (for messages).
    public var socketPath: String?
    /// --log-level was given: it wins over the file's `log-level`.
    public var logLevelFromArguments: Bool
    public var version: String
    /// Printed once the daemon is ready (the demo's how-to-query lines).
    public var readyMessage: ((String) -> String)?

    public init(configPath: String, overrides: [ConfigOverride], socketPath: String?, logLevelFromArguments: Bool,
                version: String, readyMessage: ((String) -> String)? = nil) {
        self.configPath = configPath
        self.overrides = overrides
        self.socketPath = socketPath
        self.logLevelFromArguments = logLevelFromArguments
        self.version = version
        self.readyMessage = readyMessage
    }
}
