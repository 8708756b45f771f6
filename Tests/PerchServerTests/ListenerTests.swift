import XCTest
import Foundation
import PerchServer
import PerchSystem

final class ListenerTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "perch-listener-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testSocketFileGetsTheConfiguredModeAndGroup() throws {
        let group = String(cString: getgrgid(getgid())!.pointee.gr_name)
        for mode: UInt32 in [0o600, 0o660, 0o666] {
            let path = directory + "/mode.sock"
            let listener = try UnixListener.bind(path: path, mode: mode, group: group)
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.uint32Value, mode)
            XCTAssertEqual((attributes[.groupOwnerAccountID] as? NSNumber)?.uint32Value, getgid())
            XCTAssertEqual(try FileSystem.mode(path), mode)
            listener.close()
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        }
        XCTAssertThrowsError(try UnixListener.bind(path: directory + "/g.sock", group: "no-such-group-perch")) {
            XCTAssertEqual($0 as? ServerError, .unknownGroup("no-such-group-perch"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/g.sock"))
    }

    func testStaleSocketIsReplacedButLiveSocketsAndOtherFilesAreNot() throws {
        let path = directory + "/perch.sock"
        // A socket file nobody listens on, as a crashed daemon leaves behind.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertEqual(bindUnix(stale, path), 0)
        close(stale)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        let listener = try UnixListener.bind(path: path)
        XCTAssertThrowsError(try UnixListener.bind(path: path)) {
            XCTAssertEqual($0 as? ServerError, .socketInUse(path: path))
        }
        listener.close()
        let file = directory + "/not-a-socket"
        _ = FileManager.default.createFile(atPath: file, contents: Data("keep me".utf8))
        XCTAssertThrowsError(try UnixListener.bind(path: file)) {
            XCTAssertEqual($0 as? ServerError, .notASocket(path: file))
        }
        XCTAssertEqual(FileManager.default.contents(atPath: file), Data("keep me".utf8))
    }

    func testServesOnAnInheritedListeningDescriptor() throws {
        // What systemd does: bind and listen, then hand over the descriptor.
        let path = directory + "/activated.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        XCTAssertEqual(bindUnix(fd, path), 0)
        XCTAssertEqual(listen(fd, 16), 0)
        let server = try TestServer(listener: try UnixListener.inherited(fd: fd))
        try server.start()
        let client = try RawClient(path: path)
        client.send(get("/v1/status"))
        XCTAssertEqual(try client.readResponse().head.status.code, 200)
        XCTAssertTrue(server.stop())
        server.listener.close()
        // The file belongs to the service manager: closing our listener leaves it.
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))

        let notListening = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(notListening) }
        XCTAssertThrowsError(try UnixListener.inherited(fd: notListening)) {
            XCTAssertEqual($0 as? ServerError, .notAListeningSocket(fd: notListening))
        }
    }

    func testSocketActivationIsAFunctionOfEnvironmentAndPID() throws {
        XCTAssertNil(try SocketActivation.parse(environment: [:], pid: 42))
        XCTAssertNil(try SocketActivation.parse(environment: ["LISTEN_PID": "41", "LISTEN_FDS": "1"], pid: 42),
                     "variables meant for another process")
        XCTAssertNil(try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "0"], pid: 42))
        let one = try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "1"], pid: 42)
        XCTAssertEqual(one?.descriptors, [3])
        XCTAssertEqual(one?.names, ["unknown"])
        XCTAssertEqual(one?.descriptor(), 3)
        let named = try SocketActivation.parse(
            environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "api:events"], pid: 42)
        XCTAssertEqual(named?.descriptors, [3, 4])
        XCTAssertEqual(named?.descriptor(named: "events"), 4)
        XCTAssertNil(named?.descriptor(named: "other"))
        XCTAssertThrowsError(try SocketActivation.parse(environment: ["LISTEN_PID": "x", "LISTEN_FDS": "1"], pid: 42))
        XCTAssertThrowsError(try SocketActivation.parse(environment: ["LISTEN_PID": "42", "LISTEN_FDS": "-1"], pid: 42))
        XCTAssertThrowsError(try SocketActivation.parse(
            environment: ["LISTEN_PID": "42", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "api"], pid: 42)) {
            XCTAssertEqual($0 as? SocketActivation.Failure, .nameCountMismatch(names: 1, descriptors: 2))
        }
    }
}

func bindUnix(_ fd: Int32, _ path: String) -> Int32 {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: path.utf8)
        raw[path.utf8.count] = 0
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}
