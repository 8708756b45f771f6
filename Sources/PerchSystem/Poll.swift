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

/// Waits up to `timeoutMilliseconds` for any of `watched` (fd, events); returns what each got,
/// in the same order (empty on timeout). A negative fd is ignored, as poll(2) does.
/// The corresponding C function is `poll`.
public func pollDescriptors(_ watched: [(fd: Int32, events: PollEvents)], timeoutMilliseconds: Int32)
    -> Result<[PollEvents], Errno> {
    var entries = watched.map { pollfd(fd: $0.fd, events: $0.events.rawValue, revents: 0) }
    let count = nfds_t(entries.count)
    return retryingOnInterrupt { entries.withUnsafeMutableBufferPointer { poll($0.baseAddress, count, timeoutMilliseconds) } }
        .map { _ in entries.map { PollEvents(rawValue: $0.revents) } }
}
