import PerchSystem

/// systemd socket activation (sd_listen_fds(3)): the service manager binds the socket and
/// passes it as fd 3 (then 4, 5…), announcing it in LISTEN_PID / LISTEN_FDS /
/// LISTEN_FDNAMES. A pure function of (environment, pid), so it is testable; `fromProcess`
/// reads the real ones.
public struct SocketActivation: Equatable, Sendable {
    /// The first passed descriptor (SD_LISTEN_FDS_START).
    public static let firstDescriptor: Int32 = 3

    public var descriptors: [Int32]
    /// Names from LISTEN_FDNAMES (FileDescriptorName=), "unknown" where none was given.
    public var names: [String]

    public enum Failure: Error, Equatable, Sendable {
        case invalidValue(variable: String, value: String)
        case nameCountMismatch(names: Int, descriptors: Int)

        public var description: String {
            switch self {
            case .invalidValue(let variable, let value): return "invalid " + variable + "='" + value + "'"
            case .nameCountMismatch(let names, let descriptors):
                return "LISTEN_FDNAMES has " + String(names) + " names for " + String(descriptors) + " descriptors"
            }
        }
    }

    /// nil when this process was not socket-activated: LISTEN_PID missing or naming another
    /// process (the variables were meant for a parent), or LISTEN_FDS missing or 0.
    public static func parse(environment: [String: String], pid: Int32) throws(Failure) -> SocketActivation? {
        guard let pidText = environment["LISTEN_PID"] else { return nil }
        guard let listenPID = Int32(pidText), listenPID > 0 else {
            throw .invalidValue(variable: "LISTEN_PID", value: pidText)
        }
        guard listenPID == pid else { return nil }
        guard let countText = environment["LISTEN_FDS"] else { return nil }
        guard let count = Int32(countText), count >= 0, count <= 1024 else {
            throw .invalidValue(variable: "LISTEN_FDS", value: countText)
        }
        if count == 0 { return nil }
        let descriptors = (0..<count).map { firstDescriptor + $0 }
        var names = Array(repeating: "unknown", count: Int(count))
        if let nameText = environment["LISTEN_FDNAMES"] {
            let given = nameText.split(separator: ":", omittingEmptySubsequences: false).map { String($0) }
            guard given.count == Int(count) else { throw .nameCountMismatch(names: given.count, descriptors: Int(count)) }
            names = given
        }
        return SocketActivation(descriptors: descriptors, names: names)
    }

    /// The descriptor named `name`, or the first one when `name` is nil.
    public func descriptor(named name: String? = nil) -> Int32? {
        guard let name else { return descriptors.first }
        guard let index = names.firstIndex(of: name) else { return nil }
        return descriptors[index]
    }

    /// This process's activation, read from its environment and getpid().
    public static func fromProcess() throws(Failure) -> SocketActivation? {
        var environment: [String: String] = [:]
        for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] {
            if let value = Environment.value(name) { environment[name] = value }
        }
        return try parse(environment: environment, pid: Environment.processID)
    }
}
