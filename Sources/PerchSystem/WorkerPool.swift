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
/// a job never waits for a thread to start, only for chunks already claimed. Waiting spins a
/// little before it blocks on a condition variable: the gap between two layers of a model is
/// microseconds, far shorter than a futex wake-up, but a pool that only spun would take the
/// cores the camera, audio and API threads need between inferences.
public final class WorkerPool: @unchecked Sendable {
    /// Threads that run chunks, the caller's included.
    public let threadCount: Int
    private let shared: PoolShared
    private var threads: [Thread] = []

    /// Starts `threadCount - 1` threads (none for 1). `spin` is how many times a waiting thread
    /// polls before it sleeps. Throws the errno of a thread that could not be created (those
    /// already started are stopped first).
    public init(threadCount: Int, spin: Int = WorkerPool.defaultSpin) throws(Errno) {
        self.threadCount = max(1, threadCount)
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

    /// Polls before sleeping: a few µs on a current core (`pause`/`yield` cost tens of cycles),
    /// about the gap between two layers of a small model. Longer spins buy little wall time and
    /// cost instructions on every waiting core (under QEMU, 2000 polls added 30 % to a 4-thread
    /// inference). `PERCH_POOL_SPIN=N` overrides it, for measuring.
    public static let defaultSpin: Int = {
        if let text = Environment.value("PERCH_POOL_SPIN"), let n = Int(text), n >= 0 { return n }
        return 200
    }()

    deinit { stop() }

    private func stop() {
        shared.stop()
        for thread in threads { thread.join() }
        threads = []
    }

    /// Tells the threads no job follows soon (the end of an inference): they sleep now instead
    /// of spinning. The next `run` wakes them as usual.
    public func rest() { shared.resting.store(true, ordering: .relaxed) }

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
private final class PoolShared: @unchecked Sendable {
    let spin: Int
    let mutex = PthreadMutex()
    let wake = PthreadCondition()
    let finished = PthreadCondition()
    let ticket = Atomic<UInt64>(0)
    /// Chunks of the current job that have returned.
    let completed = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    /// Set by `rest()` after the last job of a burst: waiting threads stop spinning.
    let resting = Atomic<Bool>(false)
    var work: (any PoolWork)? = nil

    static let chunkBits: UInt64 = 20
    static let chunkMask: UInt64 = (1 << chunkBits) - 1

    init(spin: Int) { self.spin = max(0, spin) }

    static func job(_ t: UInt64) -> UInt64 { t >> (2 * chunkBits) }

    func run(_ job: any PoolWork, chunks: Int) {
        work = job
        completed.store(0, ordering: .relaxed)
        resting.store(false, ordering: .relaxed)
        let next = (PoolShared.job(ticket.load(ordering: .relaxed)) &+ 1) << (2 * PoolShared.chunkBits)
        ticket.store(next | UInt64(chunks) << PoolShared.chunkBits, ordering: .releasing)
        // Under the mutex: a worker checks the ticket with it held before it sleeps, so it
        // either sees the new job or is already waiting when the broadcast comes.
        mutex.withLock { wake.broadcast() }
        runChunks(ofJob: PoolShared.job(next), lane: 0)
        var polls = 0
        while completed.load(ordering: .acquiring) != chunks {
            if polls < spin {
                polls &+= 1
                perch_cpu_relax()
                continue
            }
            mutex.withLock {
                while completed.load(ordering: .acquiring) != chunks { finished.wait(mutex) }
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
            if completed.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == count {
                mutex.withLock { finished.signal() }
            }
        }
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        mutex.withLock { wake.broadcast() }
    }

    func workerLoop(lane: Int) {
        var seen = PoolShared.job(ticket.load(ordering: .acquiring))
        while true {
            var polls = 0
            var current = PoolShared.job(ticket.load(ordering: .acquiring))
            while current == seen && !stopping.load(ordering: .acquiring) {
                if polls < spin && !resting.load(ordering: .relaxed) {
                    polls &+= 1
                    perch_cpu_relax()
                } else {
                    mutex.withLock {
                        while PoolShared.job(ticket.load(ordering: .acquiring)) == seen
                                && !stopping.load(ordering: .acquiring) {
                            wake.wait(mutex)
                        }
                    }
                }
                current = PoolShared.job(ticket.load(ordering: .acquiring))
            }
            if stopping.load(ordering: .acquiring) { return }
            seen = current
            runChunks(ofJob: current, lane: lane)
        }
    }
}
