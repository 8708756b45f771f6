import CPerchSystem

/// The process's command-line arguments (Embedded Swift has no `CommandLine`).
public enum ProcessArguments {
    /// All arguments, the program name first.
    public static var all: [String] {
        let count = Int(perch_argc())
        guard count > 0, let argv = perch_argv() else { return [] }
        var result: [String] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            if let p = argv[i] { result.append(String(cString: p)) }
        }
        return result
    }
}

/// Process environment access. The corresponding C function is `getenv`.
public enum Environment {
    public static func value(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }

    /// This process's id. The corresponding C function is `getpid`.
    public static var processID: Int32 { getpid() }
    /// The real user id. The corresponding C function is `getuid`.
    public static var userID: UInt32 { getuid() }
}

/// Ends the process with `status`, flushing nothing (Perch writes unbuffered).
public func exitProcess(_ status: Int32) -> Never {
    exit(status)
}

/// Parses a decimal floating-point number in the C locale ("2.5", "-1e-3"); nil for
/// malformed text and for values out of Double's range (overflow or underflow).
public func parseDouble(_ text: String) -> Double? {
    // C reads up to the first NUL: "0\0junk" would be 0.
    guard !text.utf8.contains(0) else { return nil }
    var value = 0.0
    return perch_parse_double(text, &value) == 1 ? value : nil
}

/// Parses a decimal floating-point number in the C locale, correctly rounded, out-of-range
/// values included: "1e999" is +infinity, "5e-324" the smallest subnormal, "1e-999" zero.
/// This is the converter JSON reading needs (`JSONParser(parseDouble: parseDoubleNearest)`):
/// every Double the writer prints must read back, subnormals too.
public func parseDoubleNearest(_ text: String) -> Double? {
    guard !text.utf8.contains(0) else { return nil }
    var value = 0.0
    return perch_parse_double_nearest(text, &value) == 1 ? value : nil
}
