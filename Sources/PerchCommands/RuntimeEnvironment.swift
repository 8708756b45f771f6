import PerchCommandLine
import PerchRuntime
import PerchRuntimeSetup
import PerchSystem

/// perch's view of `RuntimeSetup` (PerchRuntimeSetup): the same kernel path choice as
/// `perchd`, with an unusable `PERCH_KERNEL_PATH` or `--kernel-path` as a usage error.
public enum RuntimeEnvironment {
    public static var detectedKernelPath: KernelPath { RuntimeSetup.detectedKernelPath }

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
