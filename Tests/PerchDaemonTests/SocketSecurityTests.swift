import Foundation
import Glibc
import PerchJSON
import XCTest

/// Who may talk to perchd: the socket file's mode and group decide who can connect; the
/// peer's SO_PEERCRED uid decides who may reload. Clients run as other users through
/// setpriv (util-linux). perchd listens on nothing but its Unix socket.
final class SocketSecurityTests: XCTestCase {
    override func setUp() { signal(SIGPIPE, SIG_IGN) }

    static let nobody: uid_t = 65534

    func groupID(_ name: String) throws -> gid_t {
        guard let group = getgrnam(name) else { throw XCTSkip("no group " + name + " on this machine") }
        return group.pointee.gr_gid
    }

    /// A directory everyone may traverse (the socket's mode, not the directory, is under test).
    func openDirectory() -> String {
        let directory = makeTemporaryDirectory()
        chmod(directory, 0o755)
        return directory
    }

    /// Runs `arguments` as uid `uid` with primary group `gid` and supplementary `groups`.
    func runAs(_ uid: uid_t, gid: gid_t, groups: [gid_t], _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let groupOption = groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map { String($0) }.joined(separator: ",")
        return try runCommand("/usr/bin/setpriv", ["--reuid=" + String(uid), "--regid=" + String(gid), groupOption] + arguments)
    }

    /// `curl` as that user: the HTTP status code it got, or its exit status when it could not connect.
    func curlAs(_ uid: uid_t, gid: gid_t, groups: [gid_t], _ method: String, _ target: String, socket: String) throws -> String {
        let r = try runAs(uid, gid: gid, groups: groups, ["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                                        "-X", method, "--unix-socket", socket, "http://perch" + target])
        return r.status == 0 ? r.out : "exit " + String(r.status)
    }

    func socketStat(_ path: String) -> stat? {
        var s = stat()
        return lstat(path, &s) == 0 ? s : nil
    }

    func testSocketIsMode0660WithTheConfiguredGroupOrTheDaemonsOwn() throws {
        try requireRoot("chgrp of the socket to another group")
        let users = try groupID("users")
        let directory = openDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try writeTestConfig(in: directory, extra: "[socket]\ngroup = users\n")
        let daemon = try DaemonProcess(arguments: ["--config", config])
        let s = try XCTUnwrap(socketStat(daemon.socket))
        XCTAssertEqual(s.st_mode & S_IFMT, S_IFSOCK)
        XCTAssertEqual(s.st_mode & 0o7777, 0o660, String(s.st_mode & 0o7777, radix: 8))
        XCTAssertEqual(s.st_gid, users)
        XCTAssertEqual(s.st_uid, geteuid())
        XCTAssertEqual(daemon.stop(), 0)
        // Without a group: the daemon's own, still 0660.
        let plain = try writeTestConfig(in: directory)
        let other = try DaemonProcess(arguments: ["--config", plain])
        let t = try XCTUnwrap(socketStat(other.socket))
        XCTAssertEqual(t.st_mode & 0o7777, 0o660)
        XCTAssertEqual(t.st_gid, getegid())
        XCTAssertEqual(other.stop(), 0)
    }

    /// perchd runs as root with the socket in group "users": a member reads the status but
    /// may not reload (403); a user outside the group cannot connect (EACCES); root reloads.
    func testGroupMembersReadButOnlyRootOrTheDaemonsUserReloads() throws {
        try requireRoot("running clients as other users")
        let users = try groupID("users")
        let directory = openDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try writeTestConfig(in: directory, extra: "[socket]\ngroup = users\n")
        let daemon = try DaemonProcess(arguments: ["--config", config])
        let member = (uid: SocketSecurityTests.nobody, gid: gid_t(65534), groups: [users])
        XCTAssertEqual(try curlAs(member.uid, gid: member.gid, groups: member.groups, "GET", "/v1/status", socket: daemon.socket), "200")
        XCTAssertEqual(try curlAs(member.uid, gid: member.gid, groups: member.groups, "POST", "/v1/reload", socket: daemon.socket), "403")
        let denied = try runAs(member.uid, gid: member.gid, groups: member.groups,
                               [productPath("perch"), "reload", "--socket", daemon.socket])
        XCTAssertEqual(denied.status, 1)
        XCTAssertTrue(denied.err.contains("403") && denied.err.contains("you are uid 65534"), denied.err)
        XCTAssertEqual(try daemon.statusNumber("reloads"), 0)
        // Outside the group: connect(2) itself is refused by the file's mode.
        let outsider = try runAs(SocketSecurityTests.nobody, gid: 65534, groups: [],
                                 [productPath("perch"), "status", "--socket", daemon.socket])
        XCTAssertEqual(outsider.status, 1)
        XCTAssertTrue(outsider.err.contains("cannot connect to " + daemon.socket + ": Permission denied"), outsider.err)
        XCTAssertEqual(try daemon.request("POST", "/v1/reload").status, 202)
        XCTAssertTrue(try eventually(15) { try daemon.statusNumber("reloads") == 1 })
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// perchd itself runs as nobody: its own uid may reload; another uid in the group may not.
    func testTheDaemonsOwnUserMayReload() throws {
        try requireRoot("running perchd as another user")
        let users = try groupID("users")
        let directory = openDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try writeTestConfig(in: directory, extra: "[socket]\ngroup = users\n")
        let runtime = directory + "/run"
        mkdir(runtime, 0o755)
        chown(runtime, SocketSecurityTests.nobody, 65534)
        let socket = runtime + "/perchd.sock"
        let daemon = try DaemonProcess(arguments: ["--reuid=65534", "--regid=65534", "--groups=" + String(users),
                                                   productPath("perchd"), "--config", config, "--socket", socket],
                                       socket: socket, executable: "/usr/bin/setpriv")
        XCTAssertEqual(socketStat(socket)?.st_uid, SocketSecurityTests.nobody)
        XCTAssertEqual(try curlAs(SocketSecurityTests.nobody, gid: 65534, groups: [], "POST", "/v1/reload", socket: socket), "202")
        XCTAssertTrue(try eventually(15) { try daemon.statusNumber("reloads") == 1 })
        XCTAssertEqual(try curlAs(4242, gid: 4242, groups: [users], "GET", "/v1/status", socket: socket), "200")
        XCTAssertEqual(try curlAs(4242, gid: 4242, groups: [users], "POST", "/v1/reload", socket: socket), "403")
        XCTAssertEqual(try daemon.request("POST", "/v1/reload").status, 202)  // root
        XCTAssertTrue(try eventually(15) { try daemon.statusNumber("reloads") == 2 })
        XCTAssertEqual(daemon.stop(), 0)
    }

    /// Socket inodes of a /proc/net table: field 6 of /proc/net/unix rows, field 9 of the
    /// inet tables' rows (tcp, udp, raw and their v6 forms share that layout).
    func inodes(inTable name: String) -> Set<String> {
        // Read to the end: /proc files report size 0, and a one-read load would stop after a page.
        guard let data = FileHandle(forReadingAtPath: "/proc/net/" + name)?.readDataToEndOfFile() else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let column = name == "unix" ? 6 : 9
        var result = Set<String>()
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if column < fields.count { result.insert(String(fields[column])) }
        }
        return result
    }

    /// The inodes of the sockets among a process's descriptors.
    func socketInodes(of pid: pid_t) -> Set<String> {
        let directory = "/proc/" + String(pid) + "/fd"
        var result = Set<String>()
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + fd),
                  target.hasPrefix("socket:[") else { continue }
            result.insert(String(target.dropFirst(8).dropLast()))
        }
        return result
    }

    func testPerchdOwnsOnlyUnixSockets() throws {
        let daemon = try DaemonProcess.demo()
        // An open event stream and a keep-alive connection: accepted sockets exist too.
        let stream = try UnixSocketClientHolder(socket: daemon.socket, target: "/v1/events")
        XCTAssertEqual(try daemon.get("/v1/status").status, 200)
        let before = socketInodes(of: daemon.pid)
        var inet = Set<String>()
        for table in ["tcp", "tcp6", "udp", "udp6", "raw", "raw6", "udplite", "udplite6"] { inet.formUnion(inodes(inTable: table)) }
        let unix = inodes(inTable: "unix")
        // Only sockets held before and after the tables were read (a closing connection
        // can leave /proc/net/unix in between).
        let sockets = before.intersection(socketInodes(of: daemon.pid))
        XCTAssertGreaterThanOrEqual(sockets.count, 2, "the listener and the stream's connection")
        XCTAssertTrue(sockets.isDisjoint(with: inet), "perchd has inet sockets: \(sockets.intersection(inet))")
        XCTAssertFalse(unix.isEmpty)
        XCTAssertTrue(sockets.isSubset(of: unix), "not AF_UNIX: \(sockets.subtracting(unix))")
        _ = stream
        XCTAssertEqual(daemon.stop(), 0)
    }
}

/// Keeps a request open on its own connection (a stream nobody reads) for a test's duration.
final class UnixSocketClientHolder {
    let fd: Int32

    init(socket path: String, target: String) throws {
        fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: path.utf8); raw[path.utf8.count] = 0 }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw NSError(domain: "connect", code: Int(errno)) }
        let request = Array(("GET " + target + " HTTP/1.1\r\nHost: perch\r\n\r\n").utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        usleep(100_000)  // accepted by the server before the test looks
    }

    deinit { close(fd) }
}
