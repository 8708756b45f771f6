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
}
