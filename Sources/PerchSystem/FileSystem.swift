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
