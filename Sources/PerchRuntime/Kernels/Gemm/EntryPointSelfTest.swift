/// Calls every micro-kernel entry point that DotProductBridge.swift declares by symbol name,
/// on fixed cases checked against the scalar reference. Those declarations restate the
/// kernel modules' signatures by hand and no compiler compares them, so a parameter added,
/// dropped or reordered on one side shows here as a wrong result (or a crash), on the
/// architecture that builds the module. The random-shape `KernelSelfTest` reaches the
/// depthwise rows only when a shape happens to fit them; these cases are chosen so each one
/// does (and check that prepare chose it).
public enum EntryPointSelfTest {
    /// Whether each kernel module is compiled in, as Package.swift builds them: the sdot
    /// module on aarch64 embedded builds, the AVX-512 VNNI and AVX2 modules on x86_64.
    public static var expectedBuiltIn: (dotProduct: Bool, vnni: Bool, avx2: Bool) {
        #if arch(arm64) && hasFeature(Embedded)
        return (true, false, false)
        #elseif arch(x86_64)
        return (false, true, true)
        #else
        return (false, false, false)
        #endif
    }

    /// The entry points of `path` by symbol name, each with its failure (nil: passed). Only
    /// for a path this CPU runs: the others would stop on an illegal instruction.
    public static func run(path: KernelPath, seed: UInt64 = 1) -> [(entryPoint: String, failure: String?)] {
        var rng = SelfTestRandom(seed: seed)
        // Two GEMM shapes: one row (VNNI's single-row loop) and 11 rows × 21 channels (a full
        // tile and a partial one, a partial panel store) over an odd depth.
        func gemm() -> String? {
            KernelSelfTest.gemmCheck(path, &rng, m: 1, n: 21, k: 37, allowMinimum: false)
                ?? KernelSelfTest.gemmCheck(path, &rng, m: 11, n: 21, k: 37, allowMinimum: true)
        }
        // The aarch64 kernels' short output stage (right shifts only, no row offsets), over
        // 11 rows and 9 (the last tiles: 3 rows, and 1, which take the kernels' short tiles).
        func gemmRightShifts() -> String? {
            KernelSelfTest.gemmCheck(path, &rng, m: 11, n: 21, k: 37, allowMinimum: false, rightShiftsOnly: true)
                ?? KernelSelfTest.gemmCheck(path, &rng, m: 9, n: 21, k: 37, allowMinimum: false, rightShiftsOnly: true)
        }
        // A 3×3 SAME layer: multiplier 1 over 32 channels, or over 8, or 8 on one input channel.
        // The output scale 0.0005 gives multipliers of 0.2...2, so shifts of both signs (the
        // long output stage on aarch64).
        func depthwise(cin: Int, dm: Int, expect: String, outputScale: Float = 0.2) -> String? {
            var o = DepthwiseConv2DOptions()
            o.padding = .same
            o.depthMultiplier = dm
            o.activation = .relu6
            return KernelSelfTest.depthwiseCheck(path, &rng, h: 5, w: 7, cin: cin, kh: 3, kw: 3, options: o,
                                                 allowMinimum: false, rowKernel: expect, outputScale: outputScale)
        }
        switch path {
        case .widening:
            // PerchNEON is imported, not declared by name, but its two output stages are
            // chosen per layer and only this case makes sure both run.
            #if arch(arm64)
            return [("perchNEONGemmTile", gemm()),
                    ("perchNEONGemmTile (right shifts only)", gemmRightShifts()),
                    ("perchNEONDepthwiseRow", depthwise(cin: 32, dm: 1, expect: "neon")),
                    ("perchNEONDepthwiseRow (broadcast)", depthwise(cin: 1, dm: 8, expect: "neon")),
                    ("perchNEONDepthwiseRow (shifts of both signs)",
                     depthwise(cin: 32, dm: 1, expect: "neon", outputScale: 0.0005))]
            #else
            return []
            #endif
        case .dotProduct:
            return [("perch_sdot_gemm_tile", gemm()),
                    ("perch_sdot_gemm_tile (right shifts only)", gemmRightShifts())]
        case .vnni:
            return [("perch_vnni_gemm_tile", gemm()),
                    ("perch_vnni_depthwise_row", depthwise(cin: 32, dm: 1, expect: "vnni-rows")),
                    ("perch_vnni_depthwise_pairs8", depthwise(cin: 8, dm: 1, expect: "vnni-pairs8")),
                    ("perch_vnni_depthwise_pairs8 (broadcast)", depthwise(cin: 1, dm: 8, expect: "vnni-pairs8"))]
        case .avx2:
            return [("perch_avx2_gemm_tile", gemm()),
                    ("perch_avx2_depthwise_row", depthwise(cin: 32, dm: 1, expect: "avx2")),
                    ("perch_avx2_depthwise_row (8 channels)", depthwise(cin: 8, dm: 1, expect: "avx2")),
                    ("perch_avx2_depthwise_row (broadcast)", depthwise(cin: 1, dm: 16, expect: "avx2"))]
        }
    }
}
