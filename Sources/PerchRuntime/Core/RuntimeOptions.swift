/// Which family of int8 micro-kernels the GEMM-shaped operators (CONV_2D, FULLY_CONNECTED,
/// BATCH_MATMUL) and DEPTHWISE_CONV_2D's rows use. Every path gives the same bits; they
/// differ only in speed.
public enum KernelPath: Equatable, Sendable {
    /// Swift SIMD widening products: NEON `smull`/`smlal`/`sadalp` on aarch64,
    /// `pmovsx` + `pmaddwd` on x86_64. Runs on every CPU.
    case widening
    /// aarch64 `sdot` (Armv8.2 dot-product extension, e.g. Cortex-A76 / Raspberry Pi 5).
    case dotProduct
    /// x86_64 `vpdpbusd` (AVX-512 VNNI): the development host's int8 dot product.
    case vnni
    /// x86_64 AVX2 `vpmaddwd` on sign-extended int16 (AMD Zen, Intel since Haswell, without VNNI).
    case avx2

    /// The name `perch bench` and `perch model info` print.
    public var name: String {
        switch self {
        case .dotProduct: return "neon-sdot"
        case .vnni: return "x86-avx512vnni"
        case .avx2: return "x86-avx2"
        case .widening:
            #if arch(arm64)
            return "neon-smull"
            #else
            return "simd-widening"
            #endif
        }
    }

    /// Whether this binary was built with the dot-product kernels: aarch64 Embedded Swift
    /// builds (cross/build.sh aarch64), the only ones Package.swift compiles PerchSDot for.
    public static var dotProductCompiledIn: Bool { DotProductKernels.available }

    /// Whether this binary was built with the AVX-512 VNNI kernels (x86_64 builds).
    public static var vnniCompiledIn: Bool { VNNIKernels.available }

    /// Whether this binary was built with the AVX2 kernels (x86_64 builds).
    public static var avx2CompiledIn: Bool { AVX2Kernels.available }

    /// The fastest path this CPU runs, from the Linux `AT_HWCAP` word on aarch64 or the
    /// CPUID answers for AVX-512 VNNI (+BW, VL) and AVX2 on x86_64; the caller reads them (the
    /// runtime makes no system calls).
    public static func best(hwcap: UInt64, x86AVX512VNNI: Bool = false, x86AVX2: Bool = false) -> KernelPath {
        #if arch(arm64)
        if dotProductCompiledIn && hwcap & (1 << 20) != 0 { return .dotProduct }
        #elseif arch(x86_64)
        if vnniCompiledIn && x86AVX512VNNI { return .vnni }
        if avx2CompiledIn && x86AVX2 { return .avx2 }
        #endif
        return .widening
    }

    /// Parses a path name (`PERCH_KERNEL_PATH`, tests): "sdot"/"neon-sdot"/"dotprod" or
    /// "vnni"/"x86-avx512vnni", "avx2"/"x86-avx2", or "widening"/"neon-smull"/"simd-widening"/"smull".
    public init?(name: String) {
        switch name {
        case "sdot", "neon-sdot", "dotprod", "dot-product": self = .dotProduct
        case "vnni", "x86-avx512vnni", "avx512vnni": self = .vnni
        case "avx2", "x86-avx2": self = .avx2
        case "widening", "neon-smull", "simd-widening", "smull", "generic": self = .widening
        default: return nil
        }
    }
}

/// Options fixed when an interpreter is made.
public struct RuntimeOptions: Sendable {
    public var kernelPath: KernelPath
    /// Threads one inference may use (1: the caller's only). Above 1 the interpreter asks
    /// `makeRunner` for its own runner when it is constructed.
    public var threads: Int
    public var makeRunner: ParallelRunnerFactory?
    /// The smallest part of an operator worth a thread (tests lower it to split small layers).
    public var minimumPartMultiplyAccumulates = Parallelism.defaultMinimumPartMultiplyAccumulates

    public init(kernelPath: KernelPath = .widening, threads: Int = 1, makeRunner: ParallelRunnerFactory? = nil) {
        self.kernelPath = kernelPath
        self.threads = max(1, threads)
        self.makeRunner = makeRunner
    }
}
