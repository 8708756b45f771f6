import CPerchSystem

/// One C struct's size (or a field's offset) as Swift lays it out and as the C compiler does.
/// They must match for every struct Perch hands to the kernel; the self-check compares them.
public struct StructLayout: Sendable {
    public let name: String
    public let swift: Int
    public let c: Int

    public init(_ name: String, swift: Int, c: Int) {
        self.name = name
        self.swift = swift
        self.c = c
    }
}

/// The system layer's structs (sockets, epoll, clocks, threads).
public enum SystemStructLayouts {
    public static var all: [StructLayout] {
        [StructLayout("epoll_event", swift: MemoryLayout<epoll_event>.size, c: Int(perch_sizeof_epoll_event())),
         StructLayout("sockaddr_un", swift: MemoryLayout<sockaddr_un>.size, c: Int(perch_sizeof_sockaddr_un())),
         StructLayout("timespec", swift: MemoryLayout<timespec>.size, c: Int(perch_sizeof_timespec())),
         StructLayout("pthread_mutex_t", swift: MemoryLayout<pthread_mutex_t>.size, c: Int(perch_sizeof_pthread_mutex()))]
    }
}
