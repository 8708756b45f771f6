import CPerchSystem

/// Bytes from the kernel's random source (the urandom pool), for identifiers such as the
/// daemon's instance id. Not for keys: nothing here needs secrecy, only uniqueness.
public enum SystemRandom {
    /// `count` random bytes. The corresponding C function is `getrandom`; a read of up to
    /// 256 bytes is never short once the pool is initialized, the loop covers the rest.
    public static func bytes(_ count: Int) throws(Errno) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = try result.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { getrandom(buffer.baseAddress! + filled, count - filled, 0) }
            }.get()
            filled += n
        }
        return result
    }

    /// `count` random bytes as 2 × `count` lowercase hex digits.
    public static func hex(bytes count: Int) throws(Errno) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in try bytes(count) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
