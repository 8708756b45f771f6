import PerchRuntime
import PerchSystem

/// How `perchd` and `perch` configure the runtime for this machine, so both run the same
/// path: the kernel path from the CPU's features (PerchSystem's `CPUFeatures`), overridable
/// with `PERCH_KERNEL_PATH=widening|sdot|vnni|avx2` (tests use it to run a slower path on a CPU
/// that has a faster one), and the threads of one inference over a `WorkerPool`.
public enum RuntimeSetup {
    /// The fastest path this CPU and binary run.
    public static var detectedKernelPath: KernelPath {
        let cpu = CPUFeatures.detect()
        return KernelPath.best(hwcap: cpu.hwcap, x86AVX512VNNI: cpu.x86AVX512VNNI, x86AVX2: cpu.x86AVX2)
    }

    /// Why a requested path cannot be used.
    public enum KernelPathProblem: Error, Equatable {
        /// No path has that name.
        case unknown(String)
        /// A path this CPU or binary does not run (the detected one is given).
        case unsupported(String, detected: KernelPath)

        public var description: String {
            switch self {
            case .unknown(let name):
                return "'" + name + "' is not a kernel path (widening, sdot, vnni or avx2)"
            case .unsupported(let name, let detected):
                return "'" + name + "' is not a path this CPU and binary run (" + detected.name + " or widening)"
            }
        }
    }

    /// `override`, else `PERCH_KERNEL_PATH`, else the detected path. `widening` runs everywhere;
    /// `avx2` wherever the CPU has AVX2 (also on a VNNI CPU, to compare the two); another named
    /// path must be the detected one.
    public static func kernelPath(override: String? = nil) -> Result<KernelPath, KernelPathProblem> {
        let requested = override ?? Environment.value("PERCH_KERNEL_PATH")
        let detected = detectedKernelPath
        guard let name = requested, !name.isEmpty else { return .success(detected) }
        guard let path = KernelPath(name: name) else { return .failure(.unknown(name)) }
        let runnable = path == .widening || path == detected
            || (path == .avx2 && KernelPath.avx2CompiledIn && CPUFeatures.detect().x86AVX2)
        if !runnable { return .failure(.unsupported(name, detected: detected)) }
        return .success(path)
    }

    /// Whether the CPU runs the AVX2 path (also where AVX-512 VNNI is the best one: tests run both).
    public static var cpuHasAVX2: Bool { CPUFeatures.detect().x86AVX2 }

    /// Options for the path `kernelPath(override:)` chooses.
    public static func options(override: String? = nil, threads: Int = 1) -> Result<RuntimeOptions, KernelPathProblem> {
        kernelPath(override: override).map { options(kernelPath: $0, threads: threads) }
    }

    /// Options for an interpreter: `threads` above 1 gives it its own pool, made when it is
    /// constructed (a pool that cannot start its threads leaves it on one).
    public static func options(kernelPath: KernelPath, threads: Int = 1) -> RuntimeOptions {
        RuntimeOptions(kernelPath: kernelPath, threads: threads, makeRunner: { count in PoolRunner.make(threads: count) })
    }
}

/// The runtime's `ParallelRunner` over PerchSystem's `WorkerPool`: the runtime declares what it
/// needs without system calls, this gives it pthreads.
final class PoolRunner: ParallelRunner, PoolWork {
    let pool: WorkerPool
    /// The job being run (set by the calling thread between jobs; the pool reads it only for a
    /// chunk it has claimed of the current job).
    private var work: (any ParallelWork)? = nil
    private var parts = 1

    private init(pool: WorkerPool) { self.pool = pool }

    static func make(threads: Int) -> PoolRunner? {
        do throws(Errno) {
            return PoolRunner(pool: try WorkerPool(threadCount: threads))
        } catch {
            Log.warning("cannot start " + String(threads) + " inference threads (" + error.description
                        + "); this model runs on one")
            return nil
        }
    }

    var threadCount: Int { pool.threadCount }

    func run(_ work: any ParallelWork, parts: Int) {
        self.work = work
        self.parts = parts
        pool.run(self, chunks: parts)
        self.work = nil
    }

    func rest() { pool.rest() }

    func runChunk(_ chunk: Int, lane: Int) {
        work?.runPart(chunk, of: parts, lane: lane)
    }
}
