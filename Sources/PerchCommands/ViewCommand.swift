import PerchCommandLine
import PerchHTTP
import PerchJSON
import PerchServer
import PerchSystem

/// `perch view`: the live view in a browser. When perchd has `[web]` on, prints its URL.
/// Otherwise serves the page itself on 127.0.0.1, forwarding the page's read-only requests
/// to perchd's socket (see ViewForwarder), behind a one-time token so that other local users
/// do not get through this port what the socket's permissions keep from them.
enum ViewCommand {
    static let options: [OptionSpec] = [
        .value("socket", short: "s", valueName: "PATH", help: "the daemon's socket (default $PERCH_SOCKET or /run/perch/perchd.sock)"),
        .value("port", short: "p", valueName: "PORT", help: "serve on 127.0.0.1:PORT (default: a free port)"),
        .flag("help", short: "h", help: "show this help"),
    ]

    static func run(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments[...], options: options)
            if let first = parsed.positionals.first { throw UsageError.unexpectedArgument(first) }
        } catch {
            StandardStream.error.write("perch view: " + error.description + "\n")
            return 2
        }
        if parsed.has("help") {
            StandardStream.output.write("Usage: perch view [--socket PATH] [--port PORT]\n\n"
                                        + "Prints the live view's address when perchd's [web] listener is on; otherwise\n"
                                        + "serves the page on 127.0.0.1 through perchd's socket until interrupted.\n\n"
                                        + optionsHelp(options))
            return 0
        }
        var port = 0
        if let text = parsed.value("port") {
            guard let p = Int(text), p >= 0, p <= 65_535 else {
                StandardStream.error.write("perch view: --port takes 0-65535, not '" + text + "'\n")
                return 2
            }
            port = p
        }
        let socket = ClientCommands.socketPath(parsed)
        switch webAddress(socket: socket) {
        case .failure(let failure):
            StandardStream.error.write("perch view: " + failure.description + "\n")
            return 1
        case .success(let url?):
            printLine("perchd serves the live view at " + url + " (its [web] listener; add ?token=… if it has a token-file)")
            return 0
        case .success(nil):
            return serve(socket: socket, port: port)
        }
    }

    /// perchd's `web` URL from /v1/status, nil when it has none.
    static func webAddress(socket: String) -> Result<String?, UnixSocketClient.Failure> {
        do throws(UnixSocketClient.Failure) {
            let response = try UnixSocketClient(path: socket).request("GET", "/v1/status")
            guard response.head.status.code == 200, let status = ClientCommands.parse(response.body) else {
                return .failure(.init("GET /v1/status answered " + String(response.head.status.code)))
            }
            return .success(status["web"]?.stringValue)
        } catch {
            return .failure(error)
        }
    }

    static func serve(socket: String, port: Int) -> Int32 {
        var token = ""
        for _ in 0..<2 {
            let word = UInt64.random(in: UInt64.min...UInt64.max)
            let hex = String(word, radix: 16)
            token += String(repeating: "0", count: 16 - hex.utf8.count) + hex
        }
        let access = WebAccess(token: token)
        let server: HTTPServer
        let listener: TCPListener
        do throws(ServerError) {
            listener = try TCPListener.bind(host: "127.0.0.1", port: port)
            server = try HTTPServer(tcp: listener) { request, context in
                switch access.check(request) {
                case .answer(let response): return .response(response)
                case .allow: return ViewForwarder.forward(request, context, socket: socket)
                }
            }
        } catch {
            StandardStream.error.write("perch view: " + error.description + "\n")
            return 1
        }
        printLine("perchd has no [web] listener; serving the live view through " + socket + " at")
        printLine("  http://" + listener.address + "/?token=" + token)
        printLine("(127.0.0.1 only, read-only; Ctrl-C stops it)")
        do throws(ServerError) {
            try server.run()
        } catch {
            StandardStream.error.write("perch view: " + error.description + "\n")
            return 1
        }
        return 0
    }
}
