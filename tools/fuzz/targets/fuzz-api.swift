// libFuzzer target: perchd's request handling above the parser. A real daemon core runs in
// this process as perchd --demo builds it: config/demo.conf (run from the repository root,
// as tools/fuzz/run.sh does), the default model on the synthetic camera and the demo WAV,
// its inference thread, the event bus, DaemonState, APIHandler and the epoll HTTPServer on a
// Unix socket in /tmp. Each input is the byte stream of one client connection: sent whole,
// then the write side is shut and whatever the server answers within 20 ms is read (an
// upload's inference may finish after the connection is gone, as with an impatient client).
// Besides "no crash" (ASan on every thread), it checks that the server answers in HTTP/1.1
// and never with a 500.
import PerchDaemon
import PerchDaemonCore
import PerchServer
import PerchSystem

final class Daemon: @unchecked Sendable {
    let socket: String
    let server: HTTPServer
    let pipeline: Pipeline

    init() {
        Log.level = .error
        let configuration: Configuration
        do throws(ConfigErrors) {
            configuration = try Configuration.load(path: "config/demo.conf")
        } catch {
            fatalError("fuzz-api: config/demo.conf (run from the repository root): " + error.description)
        }
        let bus = EventBus(capacity: configuration.daemon.eventBuffer)
        do throws(PipelineError) {
            pipeline = try Pipeline.build(configuration, bus: bus)
        } catch {
            fatalError("fuzz-api: pipeline: " + error.messages.joined(separator: "; "))
        }
        let instance: String
        do throws(Errno) { instance = try InstanceID.make() } catch { fatalError("fuzz-api: getrandom") }
        // A reload request is answered (202) but not carried out: that is the main thread's
        // job in perchd, and the reload path is tested by the daemon tests.
        let state = DaemonState(version: "fuzz", instance: instance, bus: bus, pipeline: pipeline) {}
        socket = "/tmp/perch-fuzz-api-" + String(Environment.processID) + ".sock"
        let api = APIHandler(state: state, socketPath: socket)
        do throws(ServerError) {
            let listener = try UnixListener.bind(path: socket)
            server = try HTTPServer(listener: listener) { request, context in api.handle(request, context) }
        } catch {
            fatalError("fuzz-api: server: " + error.description)
        }
        let server = self.server
        do throws(Errno) {
            try pipeline.start()
            _ = try Thread.spawn { try? server.run() }
        } catch {
            fatalError("fuzz-api: threads: " + error.description)
        }
    }

    /// Sends `bytes` on a new connection; what came back within the grace period.
    func exchange(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        let fd: Int32
        do throws(Errno) {
            fd = try Socket.makeUnixStream(nonBlocking: false)
            try Socket.setTimeouts(fd, milliseconds: 1_000)
            try Socket.connect(fd, unixPath: socket)
        } catch {
            fatalError("fuzz-api: connect: " + error.description)
        }
        defer { Socket.close(fd) }
        var offset = 0
        while offset < bytes.count {
            // The server may close first (a 400 ends the connection): stop sending then.
            // (try? flattens "nil: the buffer is full" and errors into nil: the timeout is 1 s.)
            guard let n = try? Socket.send(fd, UnsafeRawBufferPointer(rebasing: bytes[offset...])), n > 0 else { break }
            offset += n
        }
        Socket.shutdownWrite(fd)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < 1 << 20 {
            guard case .success(let events) = pollDescriptor(fd, for: .readable, timeoutMilliseconds: 20), !events.isEmpty
            else { break }
            let n = chunk.withUnsafeMutableBytes { try? Socket.receive(fd, into: $0) }
            guard let n, n > 0 else { break }
            received += chunk[0..<n]
        }
        return received
    }
}

let daemon = Daemon()
let http11 = Array("HTTP/1.1 ".utf8)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPI(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data, count > 0 else { return 0 }
    let answer = daemon.exchange(UnsafeRawBufferPointer(start: data, count: count))
    guard !answer.isEmpty else { return 0 }
    precondition(answer.count >= 12 && Array(answer[0..<9]) == http11,
                 "not an HTTP/1.1 answer: " + String(decoding: answer.prefix(64), as: UTF8.self))
    precondition(Array(answer[9..<12]) != Array("500".utf8), "a 500: " + String(decoding: answer.prefix(300), as: UTF8.self))
    return 0
}
