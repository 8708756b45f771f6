import PerchDaemon
import PerchRuntime
import PerchSystem

/// The executables' view of `RuntimeSetup` (PerchDaemon): the same kernel path choice as
/// `perchd`, with an unusable `PERCH_KERNEL_PATH` or `--kernel-path` as a usage error.
public enum RuntimeEnvironment {
    public static var detectedKernelPath: KernelPath { RuntimeSetup.detectedKernelPath }

    /// Whether the CPU runs the AVX2 path (also where AVX-512 VNNI is the best one: tests run both).
    public static var cpuHasAVX2: Bool { CPUFeatures.detect().x86AVX2 }

    /// The path to use, or an error message for an override that names an unknown path or
    /// one this CPU or binary cannot run.
    public static func kernelPath(override: String? = nil) -> Result<KernelPath, UsageError> {
        RuntimeSetup.kernelPath(override: override).mapError { problem in
            switch problem {
            case .unknown(let name):
                return .invalidValue(option: "kernel-path", value: name, expected: "widening, sdot, vnni or avx2")
            case .unsupported(let name, let detected):
                return .invalidValue(option: "kernel-path", value: name,
                                     expected: "a path this CPU and binary run (" + detected.name + ")")
            }
        }
    }

    public static func options(override: String? = nil, threads: Int = 1) -> Result<RuntimeOptions, UsageError> {
        kernelPath(override: override).map { RuntimeSetup.options(kernelPath: $0, threads: threads) }
    }
}
