import Foundation
import Glibc
import PerchJSON
import XCTest

/// `perch view` as a user runs it: a real perchd, the real `perch` binary serving the page on
/// 127.0.0.1 through the daemon's socket, and plain TCP requests as a browser sends them.
final class PerchViewTests: XCTestCase {
    /// A running `perch view`, its address and one-time token from what it printed.
    final class Viewer {
        let pid: pid_t
        let port: UInt16
        let token: String
        let out: String

        init(socket: String, directory: String, extra: [String] = []) throws {
            let out = directory + "/view.out"
            let pid = try spawn(productPath("perch"), ["view", "--socket", socket] + extra, stdout: out, stderr: directory + "/view.err")
            self.out = out
            self.pid = pid
            var found: (UInt16, String)? = nil
            _ = eventually(20) {
                let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
                guard let line = text.split(separator: "\n").first(where: { $0.contains("http://127.0.0.1:") }),
                      let address = line.split(separator: " ").last,
                      let url = URLComponents(string: String(address)), let port = url.port,
                      let token = url.queryItems?.first(where: { $0.name == "token" })?.value else { return false }
                found = (UInt16(port), token)
                return true
            }
            guard let found else {
                kill(pid, SIGKILL)
                throw NSError(domain: "perch view", code: 1, userInfo: [NSLocalizedDescriptionKey:
                    "no address printed: " + ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "")])
            }
            (port, token) = found
        }

        /// Threads of the perch view process (the loop, main, and one per forwarded stream).
        var threads: Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1 }

        deinit {
            kill(pid, SIGTERM)
            if waitForExit(pid, timeoutSeconds: 10) == nil { kill(pid, SIGKILL); _ = waitForExit(pid, timeoutSeconds: 5) }
        }
    }

    /// A TCP connection to 127.0.0.1:`port` that has sent `request`.
    func connect(_ port: UInt16, _ request: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NSError(domain: "socket", code: Int(errno)) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw NSError(domain: "connect", code: Int(errno)) }
        let bytes = Array(request.utf8)
        XCTAssertEqual(bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }, bytes.count)
        return fd
    }

    /// Bytes read from `fd` until `done` holds for them, the peer closes, or 10 s pass.
    func read(_ fd: Int32, until done: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while !done(received) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[0..<n]
        }
        return received
    }

    /// One request on its own connection (Connection: close): status, headers and body.
    func exchange(_ port: UInt16, _ method: String, _ target: String, _ headers: [String] = [])
        throws -> (status: Int, head: String, body: [UInt8]) {
        let fd = try connect(port, method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                                 + headers.map { $0 + "\r\n" }.joined() + "\r\n")
        defer { close(fd) }
        let bytes = read(fd)
        let end = Array("\r\n\r\n".utf8)
        guard let split = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == end }) else {
            throw NSError(domain: "http", code: 1, userInfo: [NSLocalizedDescriptionKey: "no response head: " + String(decoding: bytes, as: UTF8.self)])
        }
        let head = String(decoding: bytes[..<split], as: UTF8.self)
        let status = Int(head.split(separator: " ")[1]) ?? 0
        var body = Array(bytes[(split + 4)...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = dechunk(body) }
        return (status, head, body)
    }

    func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = (i..<max(i, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
              let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self), radix: 16), size > 0,
              lineEnd + 2 + size <= bytes.count {
            out += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            i = lineEnd + 2 + size + 2
        }
        return out
    }

    func testServesThePageAndTheReadOnlyAPIThroughTheSocket() throws {
        let daemon = try DaemonProcess.demo()
        let viewer = try Viewer(socket: daemon.socket, directory: daemon.directory)
        let bearer = "Authorization: Bearer " + viewer.token
        let output = try String(contentsOfFile: viewer.out, encoding: .utf8)
        XCTAssertTrue(output.contains("perchd has no [web] listener; serving the live view through " + daemon.socket), output)

        // Without the token: nothing. With it in the address: a cookie, then the page.
        XCTAssertEqual(try exchange(viewer.port, "GET", "/").status, 401)
        XCTAssertEqual(try exchange(viewer.port, "GET", "/v1/status", ["Authorization: Bearer wrong"]).status, 401)
        let login = try exchange(viewer.port, "GET", "/?token=" + viewer.token)
        XCTAssertEqual(login.status, 303)
        XCTAssertTrue(login.head.contains("Set-Cookie: perch_token=" + viewer.token), login.head)
        let page = try exchange(viewer.port, "GET", "/", ["Cookie: perch_token=" + viewer.token])
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(String(decoding: page.body, as: UTF8.self).contains("<title>Perch live view</title>"))

        // The API is perchd's own: the same instance, and the same JPEG the socket serves.
        let status = try exchange(viewer.port, "GET", "/v1/status", [bearer])
        XCTAssertEqual(status.status, 200)
        let instance = try daemon.json("/v1/status")["instance"]?.stringValue
        XCTAssertNotNil(instance)
        XCTAssertTrue(String(decoding: status.body, as: UTF8.self).contains("\"instance\":\"" + (instance ?? "?") + "\""))
        XCTAssertTrue(eventually(10) { (try? daemon.get("/v1/snapshot"))?.status == 200 })
        let snapshot = try exchange(viewer.port, "GET", "/v1/snapshot", [bearer])
        XCTAssertEqual(snapshot.status, 200)
        XCTAssertTrue(snapshot.head.contains("Content-Type: image/jpeg"), snapshot.head)
        XCTAssertEqual(Array(snapshot.body.prefix(2)), [0xFF, 0xD8])
        XCTAssertEqual(Array(snapshot.body.suffix(2)), [0xFF, 0xD9])

        // Read-only, token or not: a reload is refused and perchd never sees it.
        let reloadsBefore = try daemon.json("/v1/status")["reloads"]?.int64Value
        XCTAssertEqual(try exchange(viewer.port, "POST", "/v1/reload", [bearer, "Content-Length: 0"]).status, 403)
        XCTAssertEqual(try daemon.json("/v1/status")["reloads"]?.int64Value, reloadsBefore)

        // The MJPEG stream comes through part by part.
        let stream = try connect(viewer.port, "GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer + "\r\n\r\n")
        let parts = read(stream) { bytes in
            String(decoding: bytes, as: UTF8.self).components(separatedBy: "Content-Type: image/jpeg").count > 2
        }
        close(stream)
        XCTAssertTrue(String(decoding: parts, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        XCTAssertTrue(String(decoding: parts, as: UTF8.self).contains("multipart/x-mixed-replace"))

        // perchd gone: a clear 503 naming the socket, and perch view keeps serving.
        XCTAssertEqual(daemon.stop(), 0)
        let down = try exchange(viewer.port, "GET", "/v1/status", [bearer])
        XCTAssertEqual(down.status, 503)
        XCTAssertTrue(String(decoding: down.body, as: UTF8.self).contains(daemon.socket), String(decoding: down.body, as: UTF8.self))
        XCTAssertEqual(waitpid(viewer.pid, nil, WNOHANG), 0, "perch view exited")
    }

    /// With [web] on, perch view only says where perchd itself serves the page.
    func testPrintsTheWebListenersAddressWhenPerchdHasOne() throws {
        let daemon = try DaemonProcess.demo(["--set", "web.listen=127.0.0.1:0"])
        let web = try daemon.json("/v1/status")["web"]?.stringValue
        XCTAssertNotNil(web)
        let out = daemon.directory + "/view.out"
        let pid = try spawn(productPath("perch"), ["view", "--socket", daemon.socket], stdout: out, stderr: daemon.directory + "/view.err")
        XCTAssertEqual(waitForExit(pid, timeoutSeconds: 20), 0)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("perchd serves the live view at " + (web ?? "?") + " "), text)
    }

    /// A browser tab closed on a quiet event stream frees the forwarding thread at once, not
    /// at perchd's next event or the 120 s read timeout.
    func testALeavingViewerOfAQuietStreamFreesItsThread() throws {
        let directory = makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The test configuration without its rules: no rule, no event, a quiet stream.
        let full = try String(contentsOfFile: try writeTestConfig(in: directory), encoding: .utf8)
        let quiet = directory + "/quiet.conf"
        try String(full[..<full.range(of: "[rule ")!.lowerBound]).write(toFile: quiet, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(arguments: ["--config", quiet])
        let viewer = try Viewer(socket: daemon.socket, directory: daemon.directory)
        let since = try daemon.json("/v1/status")["last_event_seq"]?.int64Value ?? 0
        let request = "GET /v1/events?since=\(since) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + viewer.token + "\r\n\r\n"

        // A first stream, opened and left, so that every thread the process starts only once is
        // running before the count is taken (under ThreadSanitizer, its background thread
        // starts with the process's first pthread_create).
        let first = try openEventStream(viewer.port, request)
        let during = viewer.threads
        close(first)
        XCTAssertTrue(eventually(5) { viewer.threads == during - 1 }, "the first stream's thread is still there: \(viewer.threads) threads, \(during) with it")
        let idle = viewer.threads
        XCTAssertGreaterThan(idle, 0)

        let events = try openEventStream(viewer.port, request)
        XCTAssertEqual(viewer.threads, idle + 1, "one forwarding thread for the stream")
        close(events)
        XCTAssertTrue(eventually(5) { viewer.threads == idle }, "the forwarding thread is still there: \(viewer.threads) threads, \(idle) before")
    }

    /// Opens /v1/events through perch view and waits for the response head.
    private func openEventStream(_ port: UInt16, _ request: String) throws -> Int32 {
        let events = try connect(port, request)
        let head = read(events) { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }
        XCTAssertTrue(String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 200"), String(decoding: head, as: UTF8.self))
        XCTAssertTrue(String(decoding: head, as: UTF8.self).contains("application/x-ndjson"))
        return events
    }
}
