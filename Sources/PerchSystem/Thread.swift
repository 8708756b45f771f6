import CPerchSystem

/// A joinable POSIX thread running a closure (Embedded Swift has no Foundation Thread and
/// no Task on aarch64).
public final class Thread: @unchecked Sendable {
    private var handle = pthread_t()
    private var joined = false

    private init() {}

    /// Starts `body` on a new thread. The corresponding C function is `pthread_create`.
    public static func spawn(_ body: @escaping @Sendable () -> Void) throws(Errno) -> Thread {
        let thread = Thread()
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        let result = pthread_create(&thread.handle, nil, threadEntry, context)
        if result != 0 {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            throw Errno(result)
        }
        return thread
    }

    /// Waits for the thread to end. The corresponding C function is `pthread_join`.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }
}

private final class ThreadBody {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

// File scope and non-isolated on purpose: a thread entry point must not inherit an actor
// context (a closure made inside a @MainActor context crashed the host build).
private func threadEntry(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    let body = Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue()
    body.body()
    return nil
}
