import PerchCommandLine
import PerchDevices
import PerchSystem

/// Checks of the system layer that matter on the target: C struct layouts as Swift sees
/// them, integer semantics, parsing helpers.
enum SystemSelfChecks {
    static func run(_ r: CheckRunner) {
        // Swift's imported layouts must match the C compiler's for every struct Perch passes to the kernel.
        let layouts = V4L2StructLayouts.all + SystemStructLayouts.all
        for layout in layouts { r.expectEqual("layout " + layout.name, layout.swift, layout.c) }
        #if arch(arm64)
        // Known aarch64 sizes (gcc, Debian 12 headers): a wrong sysroot shows up here.
        let cSize = { (name: String) in layouts.first { $0.name == name }?.c ?? -1 }
        r.expectEqual("aarch64 v4l2_format is 208 bytes", cSize("v4l2_format"), 208)
        r.expectEqual("aarch64 v4l2_buffer is 88 bytes", cSize("v4l2_buffer"), 88)
        r.expectEqual("aarch64 epoll_event is 16 bytes", cSize("epoll_event"), 16)
        #endif

        #if hasFeature(Embedded)
        // embedded_runtime.c replaces the toolchain's swift_bridgeObjectRetain, which returned
        // a small string's second word with its discriminator bits cleared.
        r.check("runtime: swift_bridgeObjectRetain returns its argument", bridgeObjectRetainReturnsItsArgument())
        #endif

        // Wrapping arithmetic the kernels rely on.
        r.check("Int32 &* wraps", Int32.max &* 2 == -2)
        r.check("Int32 &+ wraps", Int32.max &+ 1 == Int32.min)
        r.check("arithmetic shift right of negative", (-7 as Int32) >> 1 == -4)
        r.check("Int64 product of Int32 extremes", Int64(Int32.min) * Int64(Int32.min) == 4_611_686_018_427_387_904)
        r.check("Float rounding away from zero", (2.5 as Float).rounded(.toNearestOrAwayFromZero) == 3
                    && (-2.5 as Float).rounded(.toNearestOrAwayFromZero) == -3)

        // Parsing helpers used by argument and config parsing.
        r.check("parseDouble 2.5", parseDouble("2.5") == 2.5)
        r.check("parseDouble -1e-3", parseDouble("-1e-3") == -0.001)
        r.check("parseDouble rejects 2.5x", parseDouble("2.5x") == nil)
        r.check("parseDouble rejects empty", parseDouble("") == nil)
        r.check("Int parses 42", Int("42") == 42)
        r.check("Int rejects 4x2", Int("4x2") == nil)
        r.check("log level by name", LogLevel(parsing: "warning") == .warning)
        r.check("log level by number", LogLevel(parsing: "7") == .debug)
        r.check("log level rejects 9", LogLevel(parsing: "9") == nil)

        // Dictionary/Set with String keys need the C library's random source (glibc >= 2.36).
        var counts: [String: Int] = [:]
        for word in ["a", "b", "a"] { counts[word, default: 0] += 1 }
        r.check("String-keyed dictionary", counts["a"] == 2 && counts["b"] == 1)
        r.check("errno text", !Errno.noEntry.description.isEmpty)
        r.check("monotonic clock advances", MonotonicClock.nanoseconds > 0)
    }
}

/// Argument-parser checks (the same parser runs perchd and perch on the board).
enum ArgumentSelfChecks {
    static func run(_ r: CheckRunner) {
        let options: [OptionSpec] = [.flag("verbose", short: "v", help: ""),
                                     .value("level", short: "l", valueName: "N", help: "")]
        let parsed = try? parseArguments(["-v", "--level=3", "file", "--", "--x"], options: options)
        r.check("arguments: flags, values, positionals",
                parsed?.has("verbose") == true && parsed?.value("level") == "3"
                    && parsed?.positionals == ["file", "--x"])
        var unknown: UsageError? = nil
        do { _ = try parseArguments(["--nope"], options: options) } catch { unknown = error }
        r.check("arguments: unknown option rejected", unknown == .unknownOption("--nope"))
        var missing: UsageError? = nil
        do { _ = try parseArguments(["--level"], options: options) } catch { missing = error }
        r.check("arguments: missing value rejected", missing == .missingValue(option: "level"))
    }
}
