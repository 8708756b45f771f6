import PerchSystem

/// The id of one perchd process: 128 random bits as 32 lowercase hex digits, made once at
/// start and kept across reloads. Event seqs start again at 1 when perchd restarts; the id
/// tells a client whose seqs it holds (every event line and /v1/status carry it).
public enum InstanceID {
    public static let hexDigits = 32

    /// A fresh id from the kernel's random source.
    public static func make() throws(Errno) -> String {
        try SystemRandom.hex(bytes: hexDigits / 2)
    }

    /// 32 hex digits, lowercase as made; anything else cannot have come from a perchd.
    public static func isWellFormed(_ text: String) -> Bool {
        let utf8 = text.utf8
        return utf8.count == hexDigits && utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
