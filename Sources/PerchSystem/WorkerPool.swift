import CPerchSystem
import Synchronization

/// One part of a job a `WorkerPool` runs; part `p` always runs on thread `p` (0 is the
/// caller), so a part can keep per-thread scratch without locks.
public protocol PoolWork: AnyObject {
    func runPart(_ part: Int)
}

/// A fixed set of threads that run the parts of a job together with the caller and return
/// when every part has: made once (pthread_create happens here, never per job), reused for
/// every job, joined when the pool goes away.
///
/// Waiting spins a little before it blocks on a condition variable: the gap between two
/// layers of a model is microseconds, far shorter than a futex wake-up, but a pool that only
/// spun would burn the cores the camera, audio and API threads need between inferences.
public final class WorkerPool: @unchecked Sendable {
    /// Threads that run parts, the caller's included.
    public let threadCount: Int
    private let shared: PoolShared
    private var threads: [Thread] = []

    /// Starts `threadCount - 1` threads (none for 1). `spin` is how many times a waiting thread
    /// polls before it sleeps. Throws the errno of a thread that could not be created
    /// (those already started are stopped first).
    public init(threadCount: Int, spin: Int = WorkerPool.defaultSpin) throws(Errno) {
        self.threadCount = max(1, threadCount)
        shared = PoolShared(spin: spin)
        for index in 1..<self.threadCount {
            let shared = self.shared
            do throws(Errno) {
                threads.append(try Thread.spawn { shared.workerLoop(index) })
            } catch {
                stop()
                throw error
            }
        }
    }

    /// Polls before sleeping: about 20-60 µs on a current core (`pause` costs tens of cycles).
    public static let defaultSpin = 2000

    deinit { stop() }

    private func stop() {
        shared.stop()
        for thread in threads { thread.join() }
        threads = []
    }

    /// Runs `work.runPart(p)` for every p in 0..<threadCount, part 0 on the calling thread,
    /// and returns when all have returned. One job at a time: the pool has one owner.
    public func run(_ work: any PoolWork) {
        if threadCount == 1 {
            work.runPart(0)
            return
        }
        shared.start(work, workers: threadCount - 1)
        work.runPart(0)
        shared.waitUntilDone()
    }
}

/// The state the pool's threads share (they hold it, not the pool, so the pool can go away).
private final class PoolShared: @unchecked Sendable {
    let spin: Int
    let mutex = PthreadMutex()
    let wake = PthreadCondition()
    let finished = PthreadCondition()
    /// Bumped (release) once the job is stored; workers read the job after seeing it (acquire).
    let generation = Atomic<Int>(0)
    /// Worker parts of the current job not yet finished.
    let remaining = Atomic<Int>(0)
    let stopping = Atomic<Bool>(false)
    var work: (any PoolWork)? = nil

    init(spin: Int) { self.spin = max(0, spin) }

    func start(_ job: any PoolWork, workers: Int) {
        work = job
        remaining.store(workers, ordering: .relaxed)
        generation.wrappingAdd(1, ordering: .releasing)
        // Under the mutex: a worker checks the generation with it held before it sleeps, so
        // it either sees the new value or is already waiting when the broadcast comes.
        mutex.withLock { wake.broadcast() }
    }

    func waitUntilDone() {
        var polls = 0
        while remaining.load(ordering: .acquiring) != 0 {
            if polls < spin {
                polls &+= 1
                perch_cpu_relax()
                continue
            }
            mutex.withLock {
                while remaining.load(ordering: .acquiring) != 0 { finished.wait(mutex) }
            }
        }
        work = nil
    }

    func stop() {
        stopping.store(true, ordering: .releasing)
        mutex.withLock { wake.broadcast() }
    }

    func workerLoop(_ index: Int) {
        var seen = 0
        while true {
            var polls = 0
            var current = generation.load(ordering: .acquiring)
            while current == seen && !stopping.load(ordering: .acquiring) {
                if polls < spin {
                    polls &+= 1
                    perch_cpu_relax()
                } else {
                    mutex.withLock {
                        while generation.load(ordering: .acquiring) == seen && !stopping.load(ordering: .acquiring) {
                            wake.wait(mutex)
                        }
                    }
                }
                current = generation.load(ordering: .acquiring)
            }
            if stopping.load(ordering: .acquiring) { return }
            seen = current
            work?.runPart(index)
            if remaining.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
                mutex.withLock { finished.signal() }
            }
        }
    }
}
