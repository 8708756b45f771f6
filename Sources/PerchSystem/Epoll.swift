import CPerchSystem

/// An epoll instance (level-triggered), with events as plain flags and a 64-bit token.
public struct Epoll: ~Copyable {
    public let fd: Int32

    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: PERCH_EPOLLIN)
        public static let writable = Events(rawValue: PERCH_EPOLLOUT)
        /// The peer shut down its writing side (or closed).
        public static let peerClosed = Events(rawValue: PERCH_EPOLLRDHUP)
        public static let hangUp = Events(rawValue: PERCH_EPOLLHUP)
        public static let error = Events(rawValue: PERCH_EPOLLERR)
    }

    /// The corresponding C function is `epoll_create1`.
    public init() throws(Errno) {
        fd = try retryingOnInterrupt { epoll_create1(Int32(EPOLL_CLOEXEC)) }.get()
    }

    deinit { Socket.close(fd) }

    /// The corresponding C function is `epoll_ctl` (EPOLL_CTL_ADD).
    public func add(_ target: Int32, events: Events, token: UInt64) throws(Errno) {
        _ = try retryingOnInterrupt { perch_epoll_ctl(fd, EPOLL_CTL_ADD, target, events.rawValue, token) }.get()
    }

    /// The corresponding C function is `epoll_ctl` (EPOLL_CTL_MOD).
    public func modify(_ target: Int32, events: Events, token: UInt64) throws(Errno) {
        _ = try retryingOnInterrupt { perch_epoll_ctl(fd, EPOLL_CTL_MOD, target, events.rawValue, token) }.get()
    }

    /// The corresponding C function is `epoll_ctl` (EPOLL_CTL_DEL).
    public func remove(_ target: Int32) throws(Errno) {
        _ = try retryingOnInterrupt { perch_epoll_ctl(fd, EPOLL_CTL_DEL, target, 0, 0) }.get()
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) and fills `events`/`tokens`; returns
    /// how many are ready. An interrupted wait returns 0 (the caller's loop re-checks its
    /// deadlines anyway). The corresponding C function is `epoll_wait`.
    public func wait(events: inout [UInt32], tokens: inout [UInt64], timeoutMilliseconds: Int32) throws(Errno) -> Int {
        let capacity = Int32(min(events.count, tokens.count))
        let result = events.withUnsafeMutableBufferPointer { e in
            tokens.withUnsafeMutableBufferPointer { t in
                perch_epoll_wait(fd, e.baseAddress, t.baseAddress, capacity, timeoutMilliseconds)
            }
        }
        if result >= 0 { return Int(result) }
        let error = Errno.current
        if error == .interrupted { return 0 }
        throw error
    }
}

/// An eventfd used as a wake-up bell between threads.
public struct EventFD: ~Copyable {
    public let fd: Int32

    /// Non-blocking, close-on-exec. The corresponding C function is `eventfd`.
    public init() throws(Errno) {
        fd = try retryingOnInterrupt { eventfd(0, PERCH_EFD_FLAGS) }.get()
    }

    deinit { Socket.close(fd) }

    /// Adds 1 to the counter, making the fd readable. Safe from any thread.
    /// The corresponding C function is `write`.
    public func signal() {
        var one: UInt64 = 1
        _ = retryingOnInterrupt { CPerchSystem.write(fd, &one, 8) }
    }

    /// Resets the counter to 0. The corresponding C function is `read`.
    public func drain() {
        var value: UInt64 = 0
        _ = retryingOnInterrupt { CPerchSystem.read(fd, &value, 8) }
    }
}
