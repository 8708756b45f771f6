import CPerchSystem

/// Path operations a socket listener needs. Each wraps one C call.
public enum FileSystem {
    /// The corresponding C function is `unlink`.
    public static func unlink(_ path: String) throws(Errno) {
        _ = try retryingOnInterrupt { CPerchSystem.unlink(path) }.get()
    }

    /// The corresponding C function is `chmod`.
    public static func chmod(_ path: String, mode: UInt32) throws(Errno) {
        _ = try retryingOnInterrupt { CPerchSystem.chmod(path, mode_t(mode)) }.get()
    }

    /// Changes only the group. The corresponding C function is `chown`.
    public static func chgrp(_ path: String, gid: UInt32) throws(Errno) {
        _ = try retryingOnInterrupt { CPerchSystem.chown(path, uid_t.max, gid_t(gid)) }.get()
    }

    /// Whether path names a socket; nil when nothing is there. The corresponding C function is `lstat`.
    public static func isSocket(_ path: String) throws(Errno) -> Bool? {
        switch retryingOnInterrupt({ perch_path_is_socket(path) }) {
        case .success(let flag): return flag == 1
        case .failure(let error) where error == .noEntry: return nil
        case .failure(let error): throw error
        }
    }

    /// The permission bits of path (0o660 etc.). The corresponding C function is `stat`.
    public static func mode(_ path: String) throws(Errno) -> UInt32 {
        UInt32(try retryingOnInterrupt { perch_path_mode(path) }.get())
    }

    /// The gid of a group name; nil when there is no such group. The corresponding C function is `getgrnam_r`.
    public static func groupID(named name: String) throws(Errno) -> UInt32? {
        var gid: UInt32 = 0
        let result = perch_group_id(name, &gid)
        if result == 0 { return gid }
        if result == ENOENT { return nil }
        throw Errno(result)
    }
}

extension FileSystem {
    /// Creates a directory; an existing one is fine. The corresponding C function is `mkdir`.
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws(Errno) {
        if mkdir(path, mode_t(mode)) != 0 {
            let error = Errno.current
            if error.code != EEXIST { throw error }
        }
    }

    /// The corresponding C function is `chdir`.
    public static func changeDirectory(_ path: String) throws(Errno) {
        if chdir(path) != 0 { throw Errno.current }
    }

    /// Whether `path` exists (access F_OK).
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The running executable's absolute path, from /proc/self/exe.
    public static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = perch_executable_path(&buffer, 4096)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The directory part of `path` ("/a/b/c" -> "/a/b"; "c" -> ".").
    public static func directoryName(_ path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1 && bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == 0 { return "/" }
        return String(decoding: bytes[0..<slash], as: UTF8.self)
    }
}

extension FileSystem {
    /// The current working directory. The corresponding C function is `getcwd`.
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, 4096) != nil else { return "." }
        let length = buffer.firstIndex(of: 0) ?? 0
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
