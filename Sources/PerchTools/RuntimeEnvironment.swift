import CPerchSystem
import PerchSystem
import PerchRuntime

/// How the executables configure the runtime for this machine: the kernel path from the
/// CPU's `AT_HWCAP` bits, overridable with `PERCH_KERNEL_PATH=widening|sdot|vnni|avx2` (tests use it
/// to run the slower path on a CPU that has both). The runtime itself makes no system calls.
public enum RuntimeEnvironment {
    public static var detectedKernelPath: KernelPath {
        KernelPath.best(hwcap: UInt64(perch_hwcap()), x86AVX512VNNI: perch_x86_avx512vnni() != 0,
                        x86AVX2: perch_x86_avx2() != 0)
    }

    /// Whether the CPU runs the AVX2 path (also where AVX-512 VNNI is the best one: tests run both).
    public static var cpuHasAVX2: Bool { perch_x86_avx2() != 0 }

    /// The path to use, or an error message for an override that names an unknown path or
    /// one this CPU or binary cannot run.
    public static func kernelPath(override: String? = nil) -> Result<KernelPath, UsageError> {
        let requested = override ?? Environment.value("PERCH_KERNEL_PATH")
        guard let name = requested, !name.isEmpty else { return .success(detectedKernelPath) }
        guard let path = KernelPath(name: name) else {
            return .failure(.invalidValue(option: "kernel-path", value: name, expected: "widening, sdot, vnni or avx2"))
        }
        // AVX2 also runs where AVX-512 VNNI is the best path (to compare the two).
        let runnable = path == .widening || path == detectedKernelPath
            || (path == .avx2 && cpuHasAVX2 && KernelPath.avx2CompiledIn)
        if !runnable {
            return .failure(.invalidValue(option: "kernel-path", value: name,
                                          expected: "a path this CPU and binary run (" + detectedKernelPath.name + ")"))
        }
        return .success(path)
    }

    public static func options(override: String? = nil) -> Result<RuntimeOptions, UsageError> {
        kernelPath(override: override).map { RuntimeOptions(kernelPath: $0) }
    }
}
