import PerchSystem

/// How `perch bench` times whole inferences: in batches. A model of a few hundred MACs runs in
/// tens of nanoseconds, about what one clock reading costs, so a clock read per call would
/// measure the clock as much as the model. Each batch is `batch` back-to-back calls between
/// two clock readings; its figure is the batch's time divided by `batch`, and the reported
/// latency is the median over batches. tools/bench/compare.py times the Python runtimes the
/// same way (same target batch duration, median of per-batch means).
struct BenchTiming {
    /// Inferences per clock reading.
    let batch: Int
    /// Timed batches.
    let batches: Int

    /// Default length of one batch: long enough that two clock reads are noise, short enough
    /// that a second holds hundreds of batches.
    static let defaultBatchNanoseconds: Int64 = 1_000_000

    /// Nanoseconds per call of `body`, from back-to-back calls doubled until they take ≥ 100 µs
    /// (at least one call).
    static func nanosecondsPerCall(_ body: () -> Void) -> Double {
        var calls = 1
        while true {
            let start = MonotonicClock.nanoseconds
            for _ in 0..<calls { body() }
            let elapsed = MonotonicClock.nanoseconds - start
            if elapsed >= 100_000 || calls >= 1 << 24 { return Double(max(elapsed, 1)) / Double(calls) }
            calls &*= 2
        }
    }

    /// Calls per batch for a batch of about `target` ns, given one call's cost.
    static func batchSize(perCall: Double, target: Int64) -> Int {
        max(1, Int((Double(target) / perCall).rounded(.up)))
    }

    /// Per-call nanoseconds of each batch, sorted.
    func run(_ body: () -> Void) -> [Double] {
        var perCall = [Double](repeating: 0, count: batches)
        for i in 0..<batches {
            let start = MonotonicClock.nanoseconds
            for _ in 0..<batch { body() }
            perCall[i] = Double(MonotonicClock.nanoseconds - start) / Double(batch)
        }
        perCall.sort()
        return perCall
    }
}
