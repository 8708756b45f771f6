import Foundation
import Glibc
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem
import XCTest

/// The server on a TCP listener ([web]): requests say they came over TCP, carry no peer
/// credentials, and a stream reports what its client has not read yet.
final class TCPServerTests: XCTestCase {
    /// Hands the handler's stream (made on the server's loop thread) to the test thread.
    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var value: ResponseStream?
        var stream: ResponseStream? {
            get { lock.lock(); defer { lock.unlock() }; return value }
            set { lock.lock(); value = newValue; lock.unlock() }
        }
    }

    func connect(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(result, 0, "connect: \(errno)")
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    func readSome(_ fd: Int32, _ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let n = recv(fd, &buffer, count, 0)
        return n > 0 ? Array(buffer[0..<n]) : []
    }

    func testTransportPeerAndUnsentBytes() throws {
        let listener = try TCPListener.bind(host: "127.0.0.1", port: 0)
        XCTAssertGreaterThan(listener.port, 0)
        let box = Box()
        let server = try HTTPServer(tcp: listener) { request, context in
            if request.path == "/big" {
                let stream = context.makeStream(bufferCap: 32 << 20)
                box.stream = stream
                stream.send([UInt8](repeating: 0x41, count: 16 << 20))
                return .stream(stream, status: .ok, headers: HTTPHeaders([("Content-Type", "application/octet-stream")]))
            }
            return .response(.json(.object([("tcp", .bool(context.transport == .tcp)),
                                            ("uid", .integer(Int64(context.peer.uid)))])))
        }
        let loop = try PerchSystem.Thread.spawn { try? server.run() }
        defer {
            server.stop()
            loop.join()
            listener.close()
        }

        let fd = try connect(listener.port)
        defer { close(fd) }
        let request = Array("GET /who HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        XCTAssertEqual(send(fd, request, request.count, 0), request.count)
        var bytes: [UInt8] = []
        while !String(decoding: bytes, as: UTF8.self).hasSuffix("}\n") {
            let part = readSome(fd, 4096)
            if part.isEmpty { break }
            bytes += part
        }
        let answer = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 200"), answer)
        XCTAssertTrue(answer.hasSuffix("{\"tcp\":true,\"uid\":4294967295}\n"), answer.replacingOccurrences(of: "\r\n", with: " | "))

        // 16 MiB nobody reads yet: more than loopback's socket buffers take, so some stays unsent.
        let big = try connect(listener.port)
        defer { close(big) }
        let get = Array("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        XCTAssertEqual(send(big, get, get.count, 0), get.count)
        var waited = 0
        while (box.stream?.unsentBytes ?? 0) == 0 && waited < 100 { usleep(50_000); waited += 1 }
        let pending = box.stream?.unsentBytes ?? 0
        XCTAssertGreaterThan(pending, 0, "the client has not read, so bytes are pending")
        XCTAssertLessThanOrEqual(pending, 16 << 20 + 64)
        // Read everything: the count goes back to 0 (written to the socket), and the stream is still open.
        var received = 0
        while received < 16 << 20 {
            let part = readSome(big, 1 << 16)
            if part.isEmpty { break }
            received += part.count
        }
        waited = 0
        while (box.stream?.unsentBytes ?? 1) != 0 && waited < 100 { usleep(50_000); waited += 1 }
        XCTAssertEqual(box.stream?.unsentBytes, 0)
        XCTAssertEqual(box.stream?.isOpen, true)
    }
}
