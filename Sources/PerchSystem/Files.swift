import CPerchSystem

/// Whole-file reads and writes for the command-line tools (models, tensors, WAV/BMP).
public enum Files {
    /// The corresponding C functions are `open`, `fstat`, `read`.
    public static func read(_ path: String) throws(Errno) -> [UInt8] {
        let fd = try openFile(path, flags: O_RDONLY | O_CLOEXEC, mode: 0)
        defer { _ = close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { Int(CPerchSystem.read(fd, buffer.baseAddress, buffer.count)) }
            }.get()
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }

    /// Writes `bytes` to `path` (created or truncated, mode 0644).
    public static func write(_ path: String, _ bytes: [UInt8]) throws(Errno) {
        let fd = try openFile(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
        var failure: Errno? = nil
        bytes.withUnsafeBytes { failure = writeAll(fd: fd, $0) }
        if close(fd) != 0, failure == nil { failure = Errno.current }
        if let failure { throw failure }
    }

    private static func openFile(_ path: String, flags: Int32, mode: mode_t) throws(Errno) -> Int32 {
        try retryingOnInterrupt { perch_open(path, flags, mode) }.get()
    }
}
