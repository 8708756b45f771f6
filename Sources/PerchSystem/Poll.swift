import CPerchSystem

/// What `poll(2)` reported for one descriptor.
public struct PollEvents: OptionSet, Sendable {
    public var rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    public static let writable = PollEvents(rawValue: Int16(POLLOUT))
    public static let error = PollEvents(rawValue: Int16(POLLERR))
    public static let hangUp = PollEvents(rawValue: Int16(POLLHUP))
    public static let invalid = PollEvents(rawValue: Int16(POLLNVAL))
}

/// Waits up to `timeoutMilliseconds` (-1: forever) for `events` on `fd`. Returns the events
/// that happened, empty on timeout. The corresponding C function is `poll`.
public func pollDescriptor(_ fd: Int32, for events: PollEvents, timeoutMilliseconds: Int32) -> Result<PollEvents, Errno> {
    var entry = pollfd(fd: fd, events: events.rawValue, revents: 0)
    return retryingOnInterrupt { poll(&entry, 1, timeoutMilliseconds) }
        .map { $0 == 0 ? PollEvents() : PollEvents(rawValue: entry.revents) }
}
