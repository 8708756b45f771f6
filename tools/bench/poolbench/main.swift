// What one job of the inference pool costs (issue 13): the wall time of `WorkerPool.run` for
// jobs of C chunks of W iterations of integer work each, against running the same chunks on
// the calling thread, with the pool's default spin for T threads.
//
//   swift run -c release perch-poolbench [--threads T] [--chunks C] [--work W] [--jobs N] [--rounds R]
//
// Prints the CPU, the spin policy and, per round, ns per job both ways; then the median round.
// Defaults: T 2, C 2, W 0 (an empty job: only the hand-off), N 200,000, R 5.
import Foundation
import PerchSystem
import Synchronization

final class IntegerWork: PoolWork {
    let iterations: Int
    let sink = Atomic<Int>(0)
    init(iterations: Int) { self.iterations = iterations }
    func runChunk(_ chunk: Int, lane: Int) {
        var x = chunk
        for i in 0..<iterations { x = x &* 31 &+ i }
        if x == 42 { sink.store(x, ordering: .relaxed) }   // keeps the loop
    }
}

var options = ["threads": 2, "chunks": 2, "work": 0, "jobs": 200_000, "rounds": 5]
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    let key = String(flag.dropFirst(2))
    // Every count but the work per chunk must be at least 1.
    guard flag.hasPrefix("--"), options[key] != nil, let text = arguments.popFirst(), let value = Int(text),
          value >= (key == "work" ? 0 : 1) else {
        print("usage: perch-poolbench [--threads T] [--chunks C] [--work W] [--jobs N] [--rounds R]")
        exit(2)
    }
    options[key] = value
}
let threads = options["threads"]!, chunks = options["chunks"]!, jobs = options["jobs"]!
let work = IntegerWork(iterations: options["work"]!)
let pool = try WorkerPool(threadCount: threads)
let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last ?? " unknown"
print("cpu:\(model), \(CPUFeatures.availableCPUs) available; pool: \(threads) threads, spin \(pool.spin)")
var pooled: [Double] = [], serial: [Double] = []
for round in 1...options["rounds"]! {
    let t0 = MonotonicClock.nanoseconds
    for _ in 0..<jobs { pool.run(work, chunks: chunks) }
    let t1 = MonotonicClock.nanoseconds
    for _ in 0..<jobs { for c in 0..<chunks { work.runChunk(c, lane: 0) } }
    let t2 = MonotonicClock.nanoseconds
    pooled.append(Double(t1 - t0) / Double(jobs))
    serial.append(Double(t2 - t1) / Double(jobs))
    print("round \(round): pool \(Int(pooled.last!)) ns/job, caller alone \(Int(serial.last!)) ns/job")
}
let middle = pooled.count / 2
print("median: pool \(Int(pooled.sorted()[middle])) ns/job, caller alone \(Int(serial.sorted()[middle])) ns/job "
      + "(\(chunks) chunks of \(options["work"]!) iterations)")
