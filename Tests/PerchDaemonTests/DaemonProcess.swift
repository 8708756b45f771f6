import Foundation
import Glibc
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built products (perchd, perch) next to the test bundle.
func productPath(_ name: String) -> String {
    var directory = Bundle.main.bundleURL
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") { directory = bundle.bundleURL.deletingLastPathComponent() }
    return directory.appendingPathComponent(name).path
}

func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "perchd-test-" + String(getpid()) + "-" + String(UInt32.random(in: 0...UInt32.max))
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Spawns `path` with `arguments`; stdout/stderr go to files; `inherit` is dup2'ed to fd 3.
func spawn(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdout: String, stderr: String,
           inherit: Int32? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if let inherit { posix_spawn_file_actions_adddup2(&actions, inherit, 3) }
    // Nothing else of the test runner's (its pipes and sockets) leaks into the child, as
    // under systemd: the tests look at which descriptors perchd holds.
    // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np; Swift's Glibc module hides it.)
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, inherit == nil ? 3 : 4)
    }
    var env = ProcessInfo.processInfo.environment
    for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { env[key] = nil }
    for (k, v) in environment { env[k] = v }
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup($0.key + "=" + $0.value) } + [nil]
    defer { for p in argv { free(p) }; for p in envp { free(p) } }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, path, &actions, nil, argv, envp)
    guard result == 0 else { throw NSError(domain: "spawn", code: Int(result)) }
    return pid
}

/// Waits for `pid` to exit; its exit status, or nil on timeout.
func waitForExit(_ pid: pid_t, timeoutSeconds: Double) -> Int32? {
    let deadline = Date().addingTimeInterval(timeoutSeconds)
    var status: Int32 = 0
    while Date() < deadline {
        let r = waitpid(pid, &status, WNOHANG)
        if r == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
        if r < 0 { return -1 }  // already reaped
        usleep(20_000)
    }
    return nil
}

/// A perchd child process on a temporary socket.
final class DaemonProcess {
    let directory: String
    let socket: String
    let log: String
    let out: String
    let pid: pid_t
    private var exited: Int32? = nil

    /// `log`/`out` replace the files stderr and stdout go to (e.g. /dev/full, a file on a full disk).
    init(arguments: [String], environment: [String: String] = [:], socket: String? = nil, inherit: Int32? = nil,
         executable: String? = nil, waitForSocket: Bool = true, log: String? = nil, out: String? = nil) throws {
        directory = makeTemporaryDirectory()
        self.socket = socket ?? directory + "/perchd.sock"
        self.log = log ?? directory + "/perchd.log"
        self.out = out ?? directory + "/perchd.out"
        var args = arguments
        if socket == nil && inherit == nil { args += ["--socket", self.socket] }
        pid = try spawn(executable ?? productPath("perchd"), args, environment: environment, stdout: self.out, stderr: self.log,
                        inherit: inherit)
        if waitForSocket { try waitUntilServing() }
    }

    static func demo(_ extra: [String] = [], environment: [String: String] = [:]) throws -> DaemonProcess {
        try DaemonProcess(arguments: ["--demo"] + extra, environment: environment)
    }

    func waitUntilServing(timeoutSeconds: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            if let r = try? get("/v1/status"), r.status == 200 { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw NSError(domain: "perchd", code: 1, userInfo: [NSLocalizedDescriptionKey: "perchd exited: " + logText])
            }
            usleep(50_000)
        }
        throw NSError(domain: "perchd", code: 2, userInfo: [NSLocalizedDescriptionKey: "perchd not serving: " + logText])
    }

    /// What perchd logged (nothing to read when stderr is a device such as /dev/full).
    var logText: String { log.hasPrefix("/dev/") ? "" : (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    func request(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws
        -> (status: Int, body: [UInt8], head: HTTPResponseHead) {
        let client = try UnixSocketClient(path: socket, timeoutMilliseconds: 20_000)
        let response = try client.request(method, target, headers: HTTPHeaders(headers), body: body)
        return (response.head.status.code, response.body, response.head)
    }

    func get(_ target: String) throws -> (status: Int, body: [UInt8], head: HTTPResponseHead) {
        try request("GET", target)
    }

    func json(_ target: String) throws -> JSONObject {
        let r = try get(target)
        XCTAssertEqual(r.status, 200, String(decoding: r.body, as: UTF8.self))
        guard let o = try JSONParser(parseDouble: parseDouble).parse(r.body).objectValue else {
            throw NSError(domain: "json", code: 1)
        }
        return o
    }

    func signal(_ signo: Int32) { kill(pid, signo) }

    /// SIGTERM and the exit status.
    func stop() -> Int32? {
        if let exited { return exited }
        kill(pid, SIGTERM)
        exited = waitForExit(pid, timeoutSeconds: 20)
        if exited == nil { kill(pid, SIGKILL); _ = waitForExit(pid, timeoutSeconds: 5) }
        return exited
    }

    deinit {
        _ = stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Polls `condition` for up to `seconds`.
func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return false
}

/// A 16 kHz mono 16-bit WAV of a 440 Hz tone, `seconds` long.
func toneWAV(seconds: Double = 1) -> [UInt8] {
    let count = Int(16_000 * seconds)
    var bytes: [UInt8] = []
    func u32(_ v: UInt32) { bytes += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    func u16(_ v: UInt16) { bytes += withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    bytes += Array("RIFF".utf8); u32(UInt32(36 + count * 2)); bytes += Array("WAVE".utf8)
    bytes += Array("fmt ".utf8); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
    bytes += Array("data".utf8); u32(UInt32(count * 2))
    for i in 0..<count { u16(UInt16(bitPattern: Int16(8000 * sin(2 * Double.pi * 440 * Double(i) / 16_000)))) }
    return bytes
}

/// A small PPM (P6) with a gradient.
func gradientPPM(width: Int = 32, height: Int = 24) -> [UInt8] {
    var bytes = Array(("P6\n" + String(width) + " " + String(height) + "\n255\n").utf8)
    for y in 0..<height { for x in 0..<width { bytes += [UInt8(x * 8 % 256), UInt8(y * 10 % 256), 128] } }
    return bytes
}

/// A test configuration: test-pattern camera and a generated WAV as microphone, absolute paths.
/// `model` replaces the default model's file (a copy a test can damage).
func writeTestConfig(in directory: String, rate: String = "5", extra: String = "", model: String? = nil) throws -> String {
    let wav = directory + "/tone.wav"
    try Data(toneWAV(seconds: 2)).write(to: URL(fileURLWithPath: wav))
    let models = repositoryRoot.appendingPathComponent("models/perch-av").path
    let text = """
    [daemon]
    event-buffer = 8
    [camera]
    device = test-pattern
    width = 160
    height = 120
    fps = 10
    [microphone]
    device = wav:\(wav)
    period = 320
    [model av]
    file = \(model ?? models + "/model.tflite")
    input.0 = camera
    input.1 = microphone
    normalize = unit
    labels-file = \(models)/labels.txt
    scores-output = 1
    attribution = image, audio
    attribution-output = 0
    rate = \(rate)
    [rule av.person]
    on = 0.6
    off = 0.4
    [rule av.light_on]
    on = 0.6
    off = 0.4
    \(extra)
    """
    let path = directory + "/test.conf"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
