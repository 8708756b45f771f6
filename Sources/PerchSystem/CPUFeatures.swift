import CPerchSystem

/// What this CPU (and its kernel) offer the int8 kernel paths: aarch64's `AT_HWCAP` word and
/// x86_64's CPUID bits, each x86 bit only when the OS saves the registers it uses (XGETBV).
/// Read here, in the system layer, so the runtime stays free of system calls and `perchd`
/// and `perch` choose the same path.
public struct CPUFeatures: Equatable, Sendable {
    /// The Linux `AT_HWCAP` word (aarch64: bit 20 is the dot-product extension, ASIMDDP).
    public var hwcap: UInt64
    /// x86_64 AVX2 with YMM state enabled by the OS.
    public var x86AVX2: Bool
    /// x86_64 AVX-512 F, BW, VL and VNNI with ZMM and opmask state enabled by the OS.
    public var x86AVX512VNNI: Bool

    public init(hwcap: UInt64 = 0, x86AVX2: Bool = false, x86AVX512VNNI: Bool = false) {
        self.hwcap = hwcap
        self.x86AVX2 = x86AVX2
        self.x86AVX512VNNI = x86AVX512VNNI
    }

    /// This machine's features. The corresponding C calls are `getauxval(AT_HWCAP)`, `cpuid`
    /// and `xgetbv` (in CPerchSystem's cpu.c).
    public static func detect() -> CPUFeatures {
        let x86 = perch_x86_features()
        return CPUFeatures(hwcap: UInt64(perch_hwcap()), x86AVX2: x86 & PERCH_X86_AVX2 != 0,
                           x86AVX512VNNI: x86 & PERCH_X86_AVX512VNNI != 0)
    }

    /// CPUs this process may run on: its affinity mask (a `taskset` or a cgroup cpuset counts),
    /// at least 1. The corresponding C call is `sched_getaffinity` (in cpu.c).
    public static var availableCPUs: Int { Int(perch_available_cpus()) }

    /// aarch64 `sdot`/`udot` (Armv8.2 dot product).
    public var aarch64DotProduct: Bool {
        #if arch(arm64)
        return hwcap & (1 << 20) != 0
        #else
        return false
        #endif
    }

    /// The features Perch looks at, by name, for logs and self-checks ("avx2 avx512vnni").
    public var description: String {
        var names: [String] = []
        if aarch64DotProduct { names.append("asimddp") }
        if x86AVX2 { names.append("avx2") }
        if x86AVX512VNNI { names.append("avx512vnni") }
        return names.isEmpty ? "baseline" : names.joined(separator: " ")
    }
}
