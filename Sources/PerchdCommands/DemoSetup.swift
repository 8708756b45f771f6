import PerchSystem

/// `perchd --demo`: finds the data root (the repository when run from .build/…, else
/// /usr/share/perch), which holds config/demo.conf and models/perch-av; and the socket path.
enum DemoSetup {
    static let installedRoot = "/usr/share/perch"
    static let marker = "/models/perch-av/model.tflite"

    /// The directory holding models/perch-av: up to four levels above the executable
    /// (`.build/<triple>/<config>/perchd`, `.build-aarch64/release/perchd`), else the installed one.
    static func dataRoot() -> String? {
        if let exe = FileSystem.executablePath() {
            var directory = FileSystem.directoryName(exe)
            for _ in 0..<4 {
                directory = FileSystem.directoryName(directory)
                if FileSystem.exists(directory + marker) && FileSystem.exists(directory + "/config/demo.conf") { return directory }
            }
        }
        if FileSystem.exists(installedRoot + marker) { return installedRoot }
        return nil
    }

    /// `$XDG_RUNTIME_DIR/perch/perchd.sock`, else `/tmp/perch-$UID/perchd.sock`.
    static func defaultSocket() -> String {
        if let runtime = Environment.value("XDG_RUNTIME_DIR"), !runtime.isEmpty { return runtime + "/perch/perchd.sock" }
        return "/tmp/perch-" + String(Environment.userID) + "/perchd.sock"
    }

    /// Makes a relative path absolute against the current directory (before chdir to the root).
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileSystem.currentDirectory() + "/" + path
    }

    static func howTo(_ socket: String) -> String {
        "\nPerch demo daemon is running. Try, in another terminal:\n"
            + "  curl --unix-socket " + socket + " http://perch/v1/status\n"
            + "  curl --unix-socket " + socket + " http://perch/v1/results/latest\n"
            + "  curl -N --unix-socket " + socket + " 'http://perch/v1/events?since=0'\n"
            + "  perch status --socket " + socket + "\n"
            + "  perch watch --socket " + socket + "\n"
            + "Stop it with Ctrl-C.\n\n"
    }
}
