// libFuzzer target: perchd's configuration parser (PerchDaemonCore) on arbitrary text.
// Input: the file's text, optionally followed by a NUL byte and command-line overrides, one
// per line: "socket PATH" (--socket), "log-level LEVEL" (--log-level), anything else a
// --set SECTION.KEY=VALUE. Label files are "read" from their path (each '/' a line break),
// so the fuzzer controls labels too. Besides "no crash", it checks that a valid result
// re-applies each of its own overrides unchanged (a --set is idempotent) and that every
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
    for flag in flags {
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
