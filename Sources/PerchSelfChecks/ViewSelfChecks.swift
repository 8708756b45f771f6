import PerchDaemonCore
import PerchHTTP
import PerchServer

/// The live view's access rules and `[web]` addresses on the target (the embedded perchd
/// applies them to every TCP request).
enum ViewSelfChecks {
    static func request(_ method: String, _ path: String, query: String? = nil, _ headers: [(String, String)] = []) -> HTTPRequest {
        HTTPRequest(head: HTTPRequestHead(method: method, target: path + (query.map { "?" + $0 } ?? ""), path: path, query: query,
                                          version: .http1_1, headers: HTTPHeaders(headers)))
    }

    static func status(_ decision: WebAccess.Decision) -> Int {
        if case .answer(let response) = decision { return response.status.code }
        return 200
    }

    static func run(_ r: CheckRunner) {
        r.check("web: listen address parses", WebAddress(parsing: "192.168.1.5:8080") == WebAddress(host: "192.168.1.5", port: 8080)
                && WebAddress(parsing: "[::]:80")?.host == "::" && WebAddress(parsing: "localhost:80") == nil)
        let token = "abcdefghijklmnop0123"
        let access = WebAccess(token: token)
        r.expectEqual("web: no token, 401", status(access.check(request("GET", "/v1/status"))), 401)
        r.expectEqual("web: bearer token, 200", status(access.check(request("GET", "/v1/status", [("Authorization", "Bearer " + token)]))), 200)
        r.expectEqual("web: cookie, 200", status(access.check(request("GET", "/", [("Cookie", "perch_token=" + token)]))), 200)
        r.expectEqual("web: POST with the token, 403", status(access.check(request("POST", "/v1/reload", [("Authorization", "Bearer " + token)]))), 403)
        r.expectEqual("web: /?token= sets the cookie, 303", status(access.check(request("GET", "/", query: "token=" + token))), 303)
    }
}
