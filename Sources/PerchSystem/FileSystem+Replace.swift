import CPerchSystem

/// What writing into a directory under a budget needs: atomic replacement and file sizes.
extension FileSystem {
    /// Moves `from` over `to` in one step (same file system). The corresponding C function is `rename`.
    public static func rename(_ from: String, to: String) throws(Errno) {
        _ = try retryingOnInterrupt { CPerchSystem.rename(from, to) }.get()
    }

    /// The size in bytes of the file at `path`. The corresponding C function is `stat`.
    public static func size(_ path: String) throws(Errno) -> Int {
        Int(try retryingOnInterrupt { perch_file_size(path) }.get())
    }
}
