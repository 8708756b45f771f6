import CPerchSystem
import Synchronization

/// A job a `WorkerPool` runs: chunks 0..<n, each on whichever thread claims it first, with
/// that thread's lane (0 is the caller, 1..<threadCount the pool's threads), so a chunk can
/// use per-thread scratch without locks.
public protocol PoolWork: AnyObject {
    func runChunk(_ chunk: Int, lane: Int)
}

/// A fixed set of threads that run the chunks of a job together with the caller: made once
/// (pthread_create happens here, never per job), reused for every job, joined when the pool
/// goes away.
///
/// Chunks are claimed one at a time from a shared counter, so the caller does the work of a
/// thread that is not running (a loaded machine has descheduled it, or it is still waking):
/// a job never waits for a thread to start, only for chunks already claimed.
///
/// A waiting thread polls before it blocks on a condition variable (`Spin`): the gap between
/// two layers of a model is a few microseconds, and a futex wake-up of a sleeping core costs
/// tens (more in a virtual machine, where it is an inter-processor interrupt to a halted
/// vCPU). The mutex and condition variables are touched only when a thread really sleeps, so
/// a job among polling threads costs a few cache-line transfers.
public final class WorkerPool: @unchecked Sendable {
    /// How long a waiting thread polls before it sleeps.
    public struct Spin: Sendable, Equatable {
        /// Polls (`pause`/`yield`) before sleeping; `Int.max` with `nanoseconds` nil never sleeps.
        public var polls: Int
        /// When set, a thread also sleeps once it has waited this long (checked every 64 polls).
        public var nanoseconds: Int64?
        /// Whether `rest()` sends polling threads to sleep at once; otherwise they poll out
        /// their time, so a burst of inferences (a batch, `perch bench`) keeps them awake.
        public var restSleepsAtOnce: Bool

        public init(polls: Int, nanoseconds: Int64? = nil, restSleepsAtOnce: Bool = true) {
            self.polls = max(0, polls)
            self.nanoseconds = nanoseconds
            self.restSleepsAtOnce = restSleepsAtOnce
        }

        /// Each thread has a CPU of its own: poll for up to 200 µs, through `rest()` too. At
        /// 4 inferences a second that is under 0.1 % of a core per thread; it keeps the
        /// threads of back-to-back inferences awake, where a wake-up would cost more than a
        /// small layer.
        public static let ownCPU = Spin(polls: Int.max, nanoseconds: 200_000, restSleepsAtOnce: false)
        /// More threads than CPUs: a polling thread would take the CPU of the one it waits
        /// for, so a waiting thread sleeps at once (as OpenMP's passive wait policy). Under
        /// QEMU user mode, 4 threads on 2 host CPUs: 200 polls per wait added 14–19 % to the
        /// guest's instructions on cortex-a76 (kws_ref_model, person_detect, vww_96_int8),
        /// sleeping at once 4.5–7 %.
        public static let shared = Spin(polls: 0)

        /// The spin for a pool of `threads` on this process's CPUs; `PERCH_POOL_SPIN=N`
        /// (polls, for measuring) overrides it.
        public static func forPool(threads: Int) -> Spin {
            if let text = Environment.value("PERCH_POOL_SPIN"), let n = Int(text), n >= 0 { return Spin(polls: n) }
            return threads <= CPUFeatures.availableCPUs ? .ownCPU : .shared
        }
    }

    /// Threads that run chunks, the caller's included.
    public let threadCount: Int
    /// How waiting threads wait.
    public let spin: Spin
    private let shared: PoolShared
    private var threads: [Thread] = []

    /// Starts `threadCount - 1` threads (none for 1). Throws the errno of a thread that could
    /// not be created (those already started are stopped first).
    public convenience init(threadCount: Int) throws(Errno) {
        let count = max(1, threadCount)
        try self.init(threadCount: count, spin: Spin.forPool(threads: count))
    }

    /// As above with polls only (tests: 0 sleeps at once, `Int.max` never sleeps on its own).
    public convenience init(threadCount: Int, spin polls: Int) throws(Errno) {
        try self.init(threadCount: threadCount, spin: Spin(polls: polls))
    }

    public init(threadCount: Int, spin: Spin) throws(Errno) {
        self.threadCount = max(1, threadCount)
        self.spin = spin
        shared = PoolShared(spin: spin)
        for lane in 1..<self.threadCount {
            let shared = self.shared
            do throws(Errno) {
                threads.append(try Thread.spawn { shared.workerLoop(lane: lane) })
            } catch {
                stop()
                throw error
            }
        }
    }

    deinit { stop() }

    private func stop() {
        shared.stop()
        for thread in threads { thread.join() }
        threads = []
    }

    /// Tells the threads no job follows soon (the end of an inference): with
    /// `spin.restSleepsAtOnce` they sleep now instead of polling. The next `run` wakes them.
    public func rest() {
        if spin.restSleepsAtOnce { shared.resting.store(true, ordering: .relaxed) }
    }

    /// Runs `work.runChunk(c, lane:)` for every c in 0..<chunks (at most 2^20) and returns when
    /// all have returned. One job at a time: the pool has one owner.
    public func run(_ work: any PoolWork, chunks: Int) {
        if threadCount == 1 || chunks <= 1 {
            for c in 0..<chunks { work.runChunk(c, lane: 0) }
            return
        }
        shared.run(work, chunks: chunks)
    }
}

/// The state the pool's threads share (they hold it, not the pool, so the pool can go away).
///
/// `ticket` packs the job number (high bits), the job's chunk count and the next unclaimed
/// chunk in one atomic word: a claim is one compare-and-swap that also proves the job is still
/// the current one, so a thread that woke late cannot take a chunk of a finished job, and
/// `work` is only read after a successful claim (the caller replaces it only between jobs).
///
/// Sleeping is announced (`sleepers`, `callerSleeping`) before the sleeper's last look at
/// the condition, and the other side looks at the announcement after it changed the
/// condition, both sequentially consistent: one of the two sees the other, so a wake-up is
/// never lost, and no lock is taken while nobody sleeps.
private final class PoolShared: @unchecked Sendable {
    let spin: WorkerPool.Spin
    let mutex = PthreadMutex()
    let wake = PthreadCondition()
    let finished = PthreadCondition()
    let ticket = Atomic<UInt64>(0)
    /// Chunks of the current job that have returned.
    let completed = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// Set by `rest()` after the last job of a burst: waiting threads stop polling.
    let resting = Atomic<Bool>(false)
    /// Worker threads asleep on `wake` (or about to be).
    let sleepers = Atomic<Int>(0)
    /// The caller is asleep on `finished` (or about to be).
    let callerSleeping = Atomic<Bool>(false)
    var work: (any PoolWork)? = nil

    static let chunkBits: UInt64 = 20
    static let chunkMask: UInt64 = (1 << chunkBits) - 1

    init(spin: WorkerPool.Spin) { self.spin = spin }

    static func job(_ t: UInt64) -> UInt64 { t >> (2 * chunkBits) }

    /// Polls `done` until it is true or the spin is over (then false). `restless` says whether
    /// `rest()` may cut it short.
    @inline(__always)
    func poll(restless: Bool, _ done: () -> Bool) -> Bool {
        var polls = 0
        var deadline: Int64? = nil
        while polls < spin.polls {
            if done() { return true }
            if restless && resting.load(ordering: .relaxed) { return false }
            polls &+= 1
            perch_cpu_relax()
            if let nanoseconds = spin.nanoseconds, polls & 63 == 0 {
                let now = MonotonicClock.nanoseconds
                if let deadline {
                    if now >= deadline { return false }
                } else {
                    deadline = now &+ nanoseconds
                }
            }
        }
        return done()
    }

    func run(_ job: any PoolWork, chunks: Int) {
        work = job
        completed.store(0, ordering: .relaxed)
        resting.store(false, ordering: .relaxed)
        let next = (PoolShared.job(ticket.load(ordering: .relaxed)) &+ 1) << (2 * PoolShared.chunkBits)
        ticket.store(next | UInt64(chunks) << PoolShared.chunkBits, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            mutex.withLock { wake.broadcast() }
        }
        runChunks(ofJob: PoolShared.job(next), lane: 0)
        if !poll(restless: false, { completed.load(ordering: .acquiring) == chunks }) {
            mutex.withLock {
                callerSleeping.store(true, ordering: .sequentiallyConsistent)
                while completed.load(ordering: .sequentiallyConsistent) != chunks { finished.wait(mutex) }
                callerSleeping.store(false, ordering: .relaxed)
            }
        }
        work = nil
    }

    /// Claims and runs chunks of job `job` until none is left (or another job is current).
    func runChunks(ofJob job: UInt64, lane: Int) {
        while true {
            var t = ticket.load(ordering: .acquiring)
            var claimed = -1
            while PoolShared.job(t) == job {
                let count = (t >> PoolShared.chunkBits) & PoolShared.chunkMask
                let next = t & PoolShared.chunkMask
                if next >= count { break }
                let (exchanged, original) = ticket.compareExchange(expected: t, desired: t &+ 1,
                                                                   ordering: .acquiringAndReleasing)
                if exchanged { claimed = Int(next); break }
                t = original
            }
            if claimed < 0 { return }
            let count = Int((t >> PoolShared.chunkBits) & PoolShared.chunkMask)
            work?.runChunk(claimed, lane: lane)
            if completed.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue == count
                && callerSleeping.load(ordering: .sequentiallyConsistent) {
                mutex.withLock { finished.signal() }
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        mutex.withLock { wake.broadcast() }
    }

    func workerLoop(lane: Int) {
        var seen = PoolShared.job(ticket.load(ordering: .acquiring))
        while true {
            let polled = poll(restless: true) {
                PoolShared.job(ticket.load(ordering: .acquiring)) != seen || stopping.load(ordering: .acquiring)
            }
            if !polled {
                mutex.withLock {
                    sleepers.wrappingAdd(1, ordering: .sequentiallyConsistent)
                    while PoolShared.job(ticket.load(ordering: .sequentiallyConsistent)) == seen
                            && !stopping.load(ordering: .sequentiallyConsistent) {
                        wake.wait(mutex)
                    }
                    sleepers.wrappingSubtract(1, ordering: .relaxed)
                }
            }
            if stopping.load(ordering: .acquiring) { return }
            seen = PoolShared.job(ticket.load(ordering: .acquiring))
            runChunks(ofJob: seen, lane: lane)
        }
    }
}
