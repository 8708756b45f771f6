import CPerchSystem
import PerchSystem

/// Checks of the system layer that matter on the target: C struct layouts as Swift sees
/// them, integer semantics, parsing helpers.
enum SystemSelfChecks {
    static func run(_ r: CheckRunner) {
        // Swift's imported layouts must match the C compiler's for every struct Perch passes to the kernel.
        r.expectEqual("layout v4l2_format", MemoryLayout<v4l2_format>.size, Int(perch_sizeof_v4l2_format()))
        r.expectEqual("layout v4l2_buffer", MemoryLayout<v4l2_buffer>.size, Int(perch_sizeof_v4l2_buffer()))
        r.expectEqual("layout v4l2_buffer.m offset", offsetOfBufferUnion(), Int(perch_offsetof_v4l2_buffer_m()))
        r.expectEqual("layout v4l2_capability", MemoryLayout<v4l2_capability>.size, Int(perch_sizeof_v4l2_capability()))
        r.expectEqual("layout epoll_event", MemoryLayout<epoll_event>.size, Int(perch_sizeof_epoll_event()))
        r.expectEqual("layout sockaddr_un", MemoryLayout<sockaddr_un>.size, Int(perch_sizeof_sockaddr_un()))
        r.expectEqual("layout timespec", MemoryLayout<timespec>.size, Int(perch_sizeof_timespec()))
        r.expectEqual("layout pthread_mutex_t", MemoryLayout<pthread_mutex_t>.size, Int(perch_sizeof_pthread_mutex()))
        #if arch(arm64)
        // Known aarch64 sizes (gcc, Debian 12 headers): a wrong sysroot shows up here.
        r.expectEqual("aarch64 v4l2_format is 208 bytes", Int(perch_sizeof_v4l2_format()), 208)
        r.expectEqual("aarch64 v4l2_buffer is 88 bytes", Int(perch_sizeof_v4l2_buffer()), 88)
        r.expectEqual("aarch64 epoll_event is 16 bytes", Int(perch_sizeof_epoll_event()), 16)
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
        r.check("errno text", !Errno(ENOENT).description.isEmpty)
        r.check("monotonic clock advances", perch_monotonic_ns() > 0)
    }
}

/// Where Swift places `v4l2_buffer.m` (no key paths in embedded mode, so by address).
private func offsetOfBufferUnion() -> Int {
    var buffer = v4l2_buffer()
    return withUnsafeMutablePointer(to: &buffer) { base in
        withUnsafeMutablePointer(to: &base.pointee.m) { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
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
