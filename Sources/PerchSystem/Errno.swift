import CPerchSystem

/// A failed system call's error number, with the C library's message.
public struct Errno: Error, Equatable, Sendable {
    public var code: Int32

    public init(_ code: Int32) { self.code = code }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(perch_errno()) }

    public static let interrupted = Errno(EINTR)
    public static let wouldBlock = Errno(EAGAIN)
    public static let noEntry = Errno(ENOENT)
    public static let busy = Errno(EBUSY)
    public static let noDevice = Errno(ENODEV)
    public static let io = Errno(EIO)
    public static let noSpace = Errno(ENOSPC)
    public static let quotaExceeded = Errno(EDQUOT)
    public static let noDeviceOrAddress = Errno(ENXIO)
    public static let accessDenied = Errno(EACCES)
    public static let notPermitted = Errno(EPERM)
    public static let invalidArgument = Errno(EINVAL)
    public static let connectionRefused = Errno(ECONNREFUSED)

    /// "No such file or directory" etc. The corresponding C function is `strerror_r`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: 128)
        // XSI strerror_r (no _GNU_SOURCE in the shim header) fills the buffer.
        _ = buffer.withUnsafeMutableBufferPointer { strerror_r(code, $0.baseAddress!, $0.count) }
        let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }
}

/// Runs a library call that returns `-errno` on failure instead of setting errno (libasound's
/// convention), retrying on EINTR. Returns the call's result, or the errno. A name of its own:
/// an overload of `retryingOnInterrupt` would be chosen for every closure returning Int.
public func retryingNegatedErrnoCall(_ call: () -> Int) -> Result<Int, Errno> {
    while true {
        let result = call()
        if result >= 0 { return .success(result) }
        let error = Errno(Int32(truncatingIfNeeded: -result))
        if error != .interrupted { return .failure(error) }
    }
}

/// Runs a system call, retrying on EINTR — the one place that does so.
/// Returns the call's result, or the errno when it returned -1.
@inline(__always)
public func retryingOnInterrupt<T: BinaryInteger>(_ call: () -> T) -> Result<T, Errno> {
    while true {
        let result = call()
        if result != -1 { return .success(result) }
        let error = Errno.current
        if error != .interrupted { return .failure(error) }
    }
}
