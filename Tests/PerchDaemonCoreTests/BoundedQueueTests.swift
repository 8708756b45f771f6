import XCTest
import Foundation
@testable import PerchDaemonCore

final class BoundedQueueTests: XCTestCase {
    func testFullQueueDropsTheOldest() {
        let queue = BoundedQueue<Int>(capacity: 3)
        XCTAssertTrue(queue.push(1))
        XCTAssertTrue(queue.push(2))
        XCTAssertTrue(queue.push(3))
        XCTAssertFalse(queue.push(4), "1 is dropped for 4")
        XCTAssertFalse(queue.push(5), "2 is dropped for 5")
        XCTAssertEqual(queue.dropped, 2)
        XCTAssertEqual(queue.count, 3)
        XCTAssertEqual([queue.tryPop(), queue.tryPop(), queue.tryPop(), queue.tryPop()], [3, 4, 5, nil])
    }

    func testPushIfRoomRefusesWhenFullAndDropsNothing() {
        let queue = BoundedQueue<Int>(capacity: 2)
        XCTAssertTrue(queue.pushIfRoom(1))
        XCTAssertTrue(queue.pushIfRoom(2))
        XCTAssertFalse(queue.pushIfRoom(3), "full: 3 is refused, 1 stays")
        XCTAssertEqual(queue.dropped, 0)
        XCTAssertEqual(queue.tryPop(), 1)
        XCTAssertTrue(queue.pushIfRoom(4))
        XCTAssertEqual([queue.tryPop(), queue.tryPop(), queue.tryPop()], [2, 4, nil])
        queue.close()
        XCTAssertFalse(queue.pushIfRoom(5), "closed")
    }

    func testPopTimesOutOnAnEmptyQueue() {
        let queue = BoundedQueue<Int>(capacity: 1)
        let start = Date()
        XCTAssertNil(queue.pop(timeoutMilliseconds: 50))
        let waited = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(waited, 0.045)
        XCTAssertLessThan(waited, 2)
    }

    func testPopWakesWhenAnElementArrives() {
        let queue = BoundedQueue<String>(capacity: 2)
        let pushed = expectation(description: "pushed")
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.05)
            queue.push("frame")
            pushed.fulfill()
        }
        let start = Date()
        XCTAssertEqual(queue.pop(timeoutMilliseconds: 5_000), "frame")
        XCTAssertLessThan(Date().timeIntervalSince(start), 4, "woken by the push, not by the timeout")
        wait(for: [pushed], timeout: 5)
    }

    func testCloseWakesWaitersAndRefusesPushes() {
        let queue = BoundedQueue<Int>(capacity: 2)
        queue.push(7)
        let done = expectation(description: "waiter returned")
        Thread.detachNewThread {
            XCTAssertEqual(queue.pop(timeoutMilliseconds: 5_000), 7)
            XCTAssertNil(queue.pop(timeoutMilliseconds: 5_000))
            done.fulfill()
        }
        Thread.sleep(forTimeInterval: 0.05)
        let start = Date()
        queue.close()
        wait(for: [done], timeout: 5)
        XCTAssertLessThan(Date().timeIntervalSince(start), 4)
        XCTAssertFalse(queue.push(8))
        XCTAssertEqual(queue.count, 0)
    }

    /// A fast producer and a slow consumer: every element is either consumed or counted as
    /// dropped, each producer's values arrive in order (drops only remove the oldest), and
    /// the newest element is never the one lost.
    func testDropOldestUnderLoad() {
        let queue = BoundedQueue<Int>(capacity: 4)
        let total = 20_000
        let box = SharedBox<[Int]>([])
        let consumerDone = expectation(description: "consumer")
        Thread.detachNewThread {
            while let value = queue.pop(timeoutMilliseconds: 2_000) {
                box.value.append(value)
                if box.value.count % 64 == 0 { usleep(200) }  // fall behind now and then
            }
            consumerDone.fulfill()
        }
        let producers = 2
        DispatchQueue.concurrentPerform(iterations: producers) { producer in
            for i in 0..<(total / producers) { queue.push(i * producers + producer) }
        }
        queue.push(-1)  // pushed last of all: never the one dropped
        queue.close()
        wait(for: [consumerDone], timeout: 30)
        let received = box.value
        XCTAssertEqual(received.last, -1, "the newest element survives")

        XCTAssertGreaterThan(queue.dropped, 0, "the consumer was slower; something must have been dropped")
        XCTAssertEqual(UInt64(received.count) + queue.dropped, UInt64(total + 1))
        XCTAssertEqual(Set(received).count, received.count, "no element delivered twice")
        for producer in 0..<producers {
            let mine = received.filter { $0 >= 0 && $0 % producers == producer }
            XCTAssertEqual(mine, mine.sorted(), "FIFO per producer")
        }
    }
}
