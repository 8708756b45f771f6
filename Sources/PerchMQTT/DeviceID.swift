import PerchSystem

/// The device id in topics and unique ids: an application-specific hash of /etc/machine-id
/// (systemd asks that the raw id never leaves the machine), else of the hostname.
public enum DeviceID {
    public static func current() -> String {
        for path in ["/etc/machine-id", "/proc/sys/kernel/hostname"] {
            if let bytes = try? Files.read(path) {
                let text = trimmed(bytes)
                if !text.isEmpty { return derive(from: text) }
            }
        }
        return "perch"
    }

    /// 12 hex digits of FNV-1a 64 over a Perch-specific key and the id: stable per machine,
    /// different from what other applications derive, and not the id itself.
    public static func derive(from id: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("perch-mqtt-device-id:".utf8) + id {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - hex.utf8.count)) + hex
        return String(padded.prefix(12))
    }

    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") })
    }

    /// The machine's host name, for the default device name.
    public static var hostname: String {
        guard let bytes = try? Files.read("/proc/sys/kernel/hostname") else { return "perch" }
        let text = String(decoding: trimmed(bytes), as: UTF8.self)
        return text.isEmpty ? "perch" : text
    }
}
