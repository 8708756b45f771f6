import PerchRuntime
import PerchRuntimeSetup
import PerchSystem

/// The runtime's integer arithmetic on the target: the gemmlowp/TFLite rounding rules that
/// bit-exactness rests on. Values are TFLite's own results for the same calls.
enum RuntimeSelfChecks {
    static func run(_ r: CheckRunner) {
        r.check("SRDHM saturates min*min", saturatingRoundingDoublingHighMul(Int32.min, Int32.min) == Int32.max)
        r.check("SRDHM rounds half away (positive)", saturatingRoundingDoublingHighMul(1 << 30, 3) == 2)
        r.check("SRDHM rounds half away (negative)", saturatingRoundingDoublingHighMul(1 << 30, -3) == -1)
        r.check("RDBPOT 5>>1 = 3", roundingDivideByPOT(5, 1) == 3)
        r.check("RDBPOT -5>>1 = -3", roundingDivideByPOT(-5, 1) == -3)
        r.check("RDBPOT -4>>1 = -2", roundingDivideByPOT(-4, 1) == -2)
        r.check("RDBPOT 7>>2 = 2", roundingDivideByPOT(7, 2) == 2)
        r.check("multiplyByQuantizedMultiplier halves", multiplyByQuantizedMultiplier(1000, 1 << 30, 0) == 500)
        r.check("multiplyByQuantizedMultiplier with left shift", multiplyByQuantizedMultiplier(1000, 1 << 30, 2) == 2000)
        r.check("multiplyByQuantizedMultiplier with right shift", multiplyByQuantizedMultiplier(-1001, 1 << 30, -1) == -250)
        let half = QuantizedMultiplier(0.5)
        r.check("QuantizeMultiplier(0.5)", half.multiplier == 1 << 30 && half.shift == 0)
        let third = QuantizedMultiplier(1.0 / 3.0)
        r.check("QuantizeMultiplier(1/3)", third.multiplier == 1_431_655_765 && third.shift == -1)
        let big = QuantizedMultiplier(3.0)
        r.check("QuantizeMultiplier(3)", big.multiplier == 1_610_612_736 && big.shift == 2)
        kernelPaths(r)
    }

    /// Every micro-kernel family this CPU runs equals the scalar reference on random shapes
    /// (odd sizes, tails, -128 weights), and the path `perch` picks is the best one.
    static func kernelPaths(_ r: CheckRunner) {
        let best = RuntimeSetup.detectedKernelPath
        printLine("kernel path: " + best.name + (KernelPath.dotProductCompiledIn ? " (sdot kernels built in)" : "")
                  + (KernelPath.vnniCompiledIn ? " (vnni kernels built in)" : "")
                  + (KernelPath.avx2CompiledIn ? " (avx2 kernels built in)" : ""))
        var paths: [KernelPath] = [.widening]
        if best != .widening { paths.append(best) }
        // The AVX2 kernels also where AVX-512 VNNI is the best path.
        if best != .avx2 && KernelPath.avx2CompiledIn && RuntimeSetup.cpuHasAVX2 { paths.append(.avx2) }
        for path in paths {
            for seed: UInt64 in 1...3 {
                let failures = KernelSelfTest.run(path: path, seed: seed, cases: 12)
                r.check("kernels " + path.name + " equal the reference (seed " + String(seed) + ")", failures.isEmpty,
                        failures.prefix(3).joined(separator: "; "))
            }
        }
        // The entry points declared by symbol name (DotProductBridge.swift): which modules are
        // built in, and each one this CPU can run, called on a case made for it.
        let built = EntryPointSelfTest.expectedBuiltIn
        r.check("kernel modules built in as Package.swift builds them",
                KernelPath.dotProductCompiledIn == built.dotProduct && KernelPath.vnniCompiledIn == built.vnni
                    && KernelPath.avx2CompiledIn == built.avx2)
        for path in paths {
            for (entryPoint, failure) in EntryPointSelfTest.run(path: path) {
                r.check("entry point " + entryPoint + " equals the reference", failure == nil, failure ?? "")
            }
        }
    }
}
