// libFuzzer target: perchd's configuration parser (PerchDaemonCore) on arbitrary text.
// Input: the file's text, optionally followed by a NUL byte and command-line overrides, one
// per line: "socket PATH" (--socket), "log-level LEVEL" (--log-level), anything else a
// --set SECTION.KEY=VALUE. Label files are "read" from their path (each '/' a line break),
// so the fuzzer controls labels too. Besides "no crash", it checks that a valid result
// re-applies the last of its overrides for each key unchanged (a --set is idempotent) and that every
// diagnostic can be printed.
import PerchDaemonCore
import PerchSystem

func overrides(_ bytes: ArraySlice<UInt8>) -> [ConfigOverride] {
    bytes.split(separator: UInt8(ascii: "\n")).map { line in
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("socket ") { return .socketPath(String(text.dropFirst(7))) }
        if text.hasPrefix("log-level ") { return .logLevel(String(text.dropFirst(10))) }
        return .setting(text)
    }
}

/// The key an override sets, as written (`camera.fps` of `--set camera.fps = 5`).
func target(_ flag: ConfigOverride) -> String {
    switch flag {
    case .socketPath: return "socket.path"
    case .logLevel: return "daemon.log-level"
    case .setting(let text):
        let key = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(key.filter { $0 != " " && $0 != "\t" })
    }
}

func readLabels(_ path: String) throws(Errno) -> [UInt8] {
    if path.hasSuffix(".missing") { throw Errno(2) }
    return path.utf8.map { $0 == UInt8(ascii: "/") ? UInt8(ascii: "\n") : $0 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    let separator = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let text = String(decoding: bytes[..<separator], as: UTF8.self)
    let flags = separator < bytes.endIndex ? overrides(bytes[(separator + 1)...]) : []
    var configuration: Configuration
    do throws(ConfigErrors) {
        configuration = try Configuration.parse(text, file: "fuzz.conf", overrides: flags)
        try configuration.resolveLabelFiles(readLabels)
    } catch {
        precondition(!error.diagnostics.isEmpty, "a failure without a diagnostic")
        _ = error.description
        return 0
    }
    _ = configuration.summary
    // Only the last override of a key is idempotent: re-applying an earlier one of the same
    // key (--set a.b=1 --set a.b=2) rightly changes the result.
    for (i, flag) in flags.enumerated() where !flags[(i + 1)...].contains(where: { target($0) == target(flag) }) {
        var again = configuration
        do throws(ConfigErrors) {
            try again.apply(flag)
        } catch {
            fatalError("re-applying \(flag) to the configuration it produced failed: \(error.description)")
        }
        precondition(again == configuration, "re-applying \(flag) changed the configuration")
    }
    return 0
}
