/// An operator's work cut into parts that may run at the same time, each writing only its
/// own rows or channels of the output. A part runs on one of the runner's threads, `lane`
/// (0 ..< threadCount, 0 the caller's); per-thread scratch made at prepare time is indexed by it.
public protocol ParallelWork: AnyObject {
    func runPart(_ part: Int, of parts: Int, lane: Int)
}

/// The threads an interpreter's operators share. The runtime only declares it (it makes no
/// system calls); the host side provides it over pthreads (PerchSystem's `WorkerPool`).
public protocol ParallelRunner: AnyObject {
    /// Threads that run parts, the caller's included.
    var threadCount: Int { get }
    /// Calls `work.runPart(p, of: parts, lane:)` for every p in 0..<parts, each on whichever
    /// thread takes it (the caller takes part in), and returns when all have returned.
    /// Allocates nothing.
    func run(_ work: any ParallelWork, parts: Int)
    /// Called at the end of an inference: no part follows soon, so idle threads may sleep
    /// at once rather than wait for more work.
    func rest()
}

/// Makes an interpreter's runner when it is constructed (never in `invoke`): nil when the
/// threads cannot be had, and the interpreter then runs on one.
public typealias ParallelRunnerFactory = @Sendable (_ threads: Int) -> (any ParallelRunner)?

/// What an operator's prepare step gets to split its work: the interpreter's runner and the
/// smallest part worth a thread. Only work large enough to pay for waking a thread is split
/// (a wake-up and the wait for the last part cost microseconds: tens of thousands of
/// multiply-accumulates), and never into more parts than there are rows.
public struct Parallelism {
    public let runner: any ParallelRunner
    /// Multiply-accumulates a part must have for a split to pay (tests set 1 to split all).
    public let minimumPartMultiplyAccumulates: Int

    public static let defaultMinimumPartMultiplyAccumulates = 32_768

    /// Threads of the runner: the number of lanes of per-thread scratch an operator needs.
    var threads: Int { runner.threadCount }

    /// The parts for `multiplyAccumulates` of work over `rows` rows (or tiles of rows): up to
    /// two per thread, so a thread that finishes early (or the caller, when a thread is slow
    /// to wake) takes another; 1 means the operator is not split.
    func parts(multiplyAccumulates: Int, rows: Int) -> Int {
        let threads = runner.threadCount
        guard threads > 1 else { return 1 }
        let byWork = multiplyAccumulates / max(1, minimumPartMultiplyAccumulates)
        return max(1, min(2 * threads, byWork, rows))
    }
}

enum WorkSplit {
    /// Rows [lower, upper) of part `part` of `parts`, whole multiples of `granule` (a tile)
    /// except for the last part, which takes the remainder.
    static func range(part: Int, of parts: Int, rows: Int, granule: Int = 1) -> Range<Int> {
        let units = (rows + granule - 1) / granule
        let lower = min(rows, units * part / parts * granule)
        let upper = part == parts - 1 ? rows : min(rows, units * (part + 1) / parts * granule)
        return lower..<upper
    }
}
