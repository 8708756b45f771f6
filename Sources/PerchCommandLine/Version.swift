/// Perch's version, printed by `perchd --version` and reported by the socket API.
public enum PerchVersion {
    public static let string = "0.1.0"

    /// "embedded" or "host": which build mode produced this binary.
    public static var buildMode: String {
        #if hasFeature(Embedded)
        return "embedded"
        #else
        return "host"
        #endif
    }

    public static var architecture: String {
        #if arch(arm64)
        return "aarch64"
        #elseif arch(x86_64)
        return "x86_64"
        #else
        return "unknown"
        #endif
    }
}
