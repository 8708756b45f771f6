import XCTest
@testable import PerchRuntime
import PerchRuntimeSetup

/// Every fast kernel on the host's path equals the scalar reference on random shapes (odd
/// sizes, tails, -128 weights); the aarch64 paths run the same checks in perch-selfcheck.
final class KernelPathTests: XCTestCase {
    func testWideningPathMatchesReference() {
        for seed: UInt64 in 1...4 {
            let failures = KernelSelfTest.run(path: .widening, seed: seed, cases: 25)
            XCTAssertEqual(failures, [], "seed \(seed)")
        }
    }

    /// The CPU's best path (AVX-512 VNNI on this development machine) too.
    func testDetectedPathMatchesReference() throws {
        let best = RuntimeSetup.detectedKernelPath
        guard best != .widening else { throw XCTSkip("this CPU has only the widening path") }
        for seed: UInt64 in 1...4 {
            XCTAssertEqual(KernelSelfTest.run(path: best, seed: seed, cases: 25), [], "seed \(seed)")
        }
    }

    /// The AVX2 path on any CPU that has AVX2 (also on an AVX-512 VNNI machine, where it is
    /// not the best path).
    func testAVX2PathMatchesReference() throws {
        guard KernelPath.avx2CompiledIn else { throw XCTSkip("this build has no AVX2 kernels (not x86_64)") }
        guard RuntimeSetup.cpuHasAVX2 else {
            throw XCTSkip("this CPU has no AVX2")
        }
        for seed: UInt64 in 1...6 {
            XCTAssertEqual(KernelSelfTest.run(path: .avx2, seed: seed, cases: 25), [], "seed \(seed)")
        }
    }

    /// Each entry point declared by symbol name, on the host's paths: none may be left out,
    /// and each must equal the reference (a signature restated wrongly fails here).
    func testEntryPointsMatchReference() throws {
        let built = EntryPointSelfTest.expectedBuiltIn
        XCTAssertEqual(KernelPath.dotProductCompiledIn, built.dotProduct)
        XCTAssertEqual(KernelPath.vnniCompiledIn, built.vnni)
        XCTAssertEqual(KernelPath.avx2CompiledIn, built.avx2)
        var paths: [KernelPath] = []
        if KernelPath.avx2CompiledIn && RuntimeSetup.cpuHasAVX2 { paths.append(.avx2) }
        if RuntimeSetup.detectedKernelPath == .vnni { paths.append(.vnni) }
        guard !paths.isEmpty else { throw XCTSkip("this CPU runs none of the kernels declared by symbol name") }
        for path in paths {
            let outcomes = EntryPointSelfTest.run(path: path)
            XCTAssertFalse(outcomes.isEmpty, path.name)
            for (entryPoint, failure) in outcomes { XCTAssertNil(failure, entryPoint) }
        }
    }

    func testPathNames() {
        XCTAssertEqual(KernelPath(name: "sdot"), .dotProduct)
        XCTAssertEqual(KernelPath(name: "widening"), .widening)
        XCTAssertEqual(KernelPath(name: "avx2"), .avx2)
        XCTAssertEqual(KernelPath(name: "x86-avx2"), .avx2)
        XCTAssertEqual(KernelPath.avx2.name, "x86-avx2")
        XCTAssertNil(KernelPath(name: "avx9"))
        // The host build has no sdot kernels, so the best path ignores the hwcap bit.
        XCTAssertEqual(KernelPath.best(hwcap: 1 << 20), .widening)
        XCTAssertEqual(KernelPath.best(hwcap: 0, x86AVX512VNNI: true), KernelPath.vnniCompiledIn ? .vnni : .widening)
        // VNNI first, then AVX2, then the portable path.
        XCTAssertEqual(KernelPath.best(hwcap: 0, x86AVX2: true), KernelPath.avx2CompiledIn ? .avx2 : .widening)
        XCTAssertEqual(KernelPath.best(hwcap: 0, x86AVX512VNNI: true, x86AVX2: true),
                       KernelPath.vnniCompiledIn ? .vnni : .widening)
    }

    func testPackedLayoutsPadWithZeros() {
        let weights: [Int8] = (0..<(5 * 7)).map { Int8($0 + 1) }
        weights.withUnsafeBufferPointer { w in
            let dot = PackedWeights(path: .dotProduct, n: 5, k: 7, weights: w.baseAddress!)
            XCTAssertEqual(dot.kPadded, 8)
            XCTAssertEqual(dot.panels, 1)
            // Depth group 0, channel group 0: channel 0 depths 0...3, then channel 1.
            XCTAssertEqual((0..<8).map { dot.data[$0] }, [1, 2, 3, 4, 8, 9, 10, 11])
            // Channel 5 (group 1, row 1) does not exist: zeros.
            XCTAssertEqual((20..<24).map { dot.data[$0] }, [0, 0, 0, 0])
            let wide = PackedWeights(path: .widening, n: 5, k: 7, weights: w.baseAddress!)
            XCTAssertEqual(wide.kPadded, 8)
            XCTAssertEqual(wide.panels, 2)
            XCTAssertEqual((0..<8).map { wide.data[$0] }, [1, 2, 3, 4, 5, 6, 7, 0])
            // AVX2: group 0 is channel 0's 8 depths then channel 4's; channels 5...7 are zeros.
            let avx2 = PackedWeights(path: .avx2, n: 5, k: 7, weights: w.baseAddress!)
            XCTAssertEqual(avx2.kPadded, 8)
            XCTAssertEqual(avx2.panels, 1)
            XCTAssertEqual((0..<16).map { avx2.data[$0] }, [1, 2, 3, 4, 5, 6, 7, 0, 29, 30, 31, 32, 33, 34, 35, 0])
            XCTAssertEqual((16..<32).map { avx2.data[$0] }, [8, 9, 10, 11, 12, 13, 14, 0] + [Int8](repeating: 0, count: 8))
        }
    }
}
