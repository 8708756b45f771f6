import Foundation
import PerchSystem
import XCTest

/// Records which chunks ran and on which lanes; each chunk writes only its own slot.
final class ChunkRecorder: PoolWork, @unchecked Sendable {
    // Raw buffers, not arrays: chunks on different threads write different slots, and a
    // Swift array property would make each write an access of the whole array.
    private let runSlots: UnsafeMutableBufferPointer<Int>
    private let laneSlots: UnsafeMutableBufferPointer<Int>
    let threads: Int
    init(chunks: Int, threads: Int) {
        runSlots = .allocate(capacity: chunks)
        runSlots.initialize(repeating: 0)
        laneSlots = .allocate(capacity: chunks)
        laneSlots.initialize(repeating: -1)
        self.threads = threads
    }
    deinit {
        runSlots.deallocate()
        laneSlots.deallocate()
    }
    var runs: [Int] { Array(runSlots) }
    var lanes: [Int] { Array(laneSlots) }
    func runChunk(_ chunk: Int, lane: Int) {
        runSlots[chunk] += 1
        laneSlots[chunk] = lane
        // A little work, so chunks overlap in time.
        var x = UInt64(chunk)
        for _ in 0..<2000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
        if x == 42 { runSlots[chunk] += 1000 }
    }
}

final class WorkerPoolTests: XCTestCase {
    /// Every chunk of every job runs exactly once, on a lane of the pool, over many jobs of
    /// different sizes (a worker that wakes late must not take a chunk of the next job).
    func testEveryChunkRunsOnceOnAValidLane() throws {
        for threads in [1, 2, 3, 4] {
            let pool = try WorkerPool(threadCount: threads)
            XCTAssertEqual(pool.threadCount, threads)
            var lanesSeen = Set<Int>()
            for job in 0..<2000 {
                let chunks = 1 + job % 9
                let recorder = ChunkRecorder(chunks: chunks, threads: threads)
                pool.run(recorder, chunks: chunks)
                XCTAssertEqual(recorder.runs, Array(repeating: 1, count: chunks), "threads \(threads), job \(job)")
                XCTAssertTrue(recorder.lanes.allSatisfy { $0 >= 0 && $0 < threads }, "\(recorder.lanes)")
                lanesSeen.formUnion(recorder.lanes)
            }
            XCTAssertTrue(lanesSeen.contains(0), "the caller takes part")
        }
    }

    /// A pool whose threads have gone to sleep (spin 0) still runs every job; dropping the pool
    /// joins its threads (the test would hang otherwise).
    func testSleepingThreadsWakeAndThePoolStops() throws {
        var pool: WorkerPool? = try WorkerPool(threadCount: 3, spin: 0)
        for job in 0..<200 {
            let recorder = ChunkRecorder(chunks: 6, threads: 3)
            pool?.run(recorder, chunks: 6)
            XCTAssertEqual(recorder.runs, Array(repeating: 1, count: 6), "job \(job)")
            if job % 50 == 0 { usleep(2000) }
        }
        pool = nil
    }

    /// `rest()` between bursts (the end of an inference) sends spinning threads to sleep; the
    /// next job wakes them and still runs every chunk once. With an endless spin a thread
    /// would never sleep unless `rest()` reached it; the pool still stops when dropped.
    func testRestingThreadsWakeForTheNextJob() throws {
        var pool: WorkerPool? = try WorkerPool(threadCount: 3, spin: Int.max)
        for burst in 0..<100 {
            for job in 0..<3 {
                let recorder = ChunkRecorder(chunks: 5, threads: 3)
                pool?.run(recorder, chunks: 5)
                XCTAssertEqual(recorder.runs, Array(repeating: 1, count: 5), "burst \(burst), job \(job)")
            }
            pool?.rest()
            if burst % 25 == 0 { usleep(2000) }
        }
        pool = nil
    }

    /// The default spin follows the CPUs this process may use: a pool with a CPU per thread
    /// polls for a while, through `rest()` too; a pool with more threads than CPUs polls
    /// briefly and sleeps at `rest()` (its polling would take the CPU of the thread it waits for).
    func testTheSpinFollowsTheCPUsThisProcessMayUse() throws {
        let cpus = CPUFeatures.availableCPUs
        XCTAssertGreaterThanOrEqual(cpus, 1)
        XCTAssertLessThanOrEqual(cpus, ProcessInfo.processInfo.processorCount)
        guard ProcessInfo.processInfo.environment["PERCH_POOL_SPIN"] == nil else {
            throw XCTSkip("PERCH_POOL_SPIN is set: it overrides the spin")
        }
        XCTAssertEqual(WorkerPool.Spin.forPool(threads: 1), .ownCPU)
        XCTAssertEqual(WorkerPool.Spin.forPool(threads: cpus), .ownCPU)
        XCTAssertEqual(WorkerPool.Spin.forPool(threads: cpus + 1), .shared)
        XCTAssertEqual(try WorkerPool(threadCount: cpus + 1).spin, .shared)
        XCTAssertFalse(WorkerPool.Spin.ownCPU.restSleepsAtOnce)
        XCTAssertTrue(WorkerPool.Spin.shared.restSleepsAtOnce)
    }

    /// Threads that have polled out their time sleep: an idle pool costs no CPU. Over 300 ms
    /// of idleness after a burst, a pool whose threads kept polling would use ~300 ms of CPU
    /// per thread; asleep they use next to none. Every chunk of the next burst still runs once.
    func testAnIdlePoolSleepsOnceItsSpinIsOver() throws {
        for spin in [WorkerPool.Spin.ownCPU, WorkerPool.Spin(polls: .max, nanoseconds: 20_000, restSleepsAtOnce: false)] {
            let pool = try WorkerPool(threadCount: 3, spin: spin)
            for burst in 0..<3 {
                for job in 0..<20 {
                    let recorder = ChunkRecorder(chunks: 6, threads: 3)
                    pool.run(recorder, chunks: 6)
                    XCTAssertEqual(recorder.runs, Array(repeating: 1, count: 6), "burst \(burst), job \(job)")
                }
                pool.rest()
                let before = processCPUNanoseconds()
                usleep(300_000)
                let used = processCPUNanoseconds() - before
                XCTAssertLessThan(used, 100_000_000, "spin \(spin), burst \(burst): \(used / 1_000_000) ms of CPU while idle")
            }
        }
    }

    private func processCPUNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
