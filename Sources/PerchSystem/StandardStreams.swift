import CPerchSystem

/// Unbuffered writes to stdout/stderr: log lines and command output must not sit in a
/// buffer when a daemon is killed or a trap happens (Embedded Swift drops fatalError text).
public enum StandardStream {
    case output, error

    var fd: Int32 { self == .output ? 1 : 2 }

    /// Writes all of `text`; the errno when the stream refused it (a full disk, a closed pipe).
    @discardableResult
    public func write(_ text: String) -> Errno? {
        var text = text
        return text.withUTF8 { writeAll(fd: fd, UnsafeRawBufferPointer($0)) }
    }

    @discardableResult
    public func write(bytes: UnsafeRawBufferPointer) -> Errno? {
        writeAll(fd: fd, bytes)
    }
}

/// Writes the whole buffer, retrying short writes and EINTR. Returns the errno on failure.
@discardableResult
public func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Errno? {
    var offset = 0
    while offset < bytes.count {
        let result = retryingOnInterrupt { Int(CPerchSystem.write(fd, bytes.baseAddress! + offset, bytes.count - offset)) }
        switch result {
        case .success(let n): offset += n
        case .failure(let e): return e
        }
    }
    return nil
}

/// Prints a line to stdout.
public func printLine(_ text: String) {
    StandardStream.output.write(text + "\n")
}
