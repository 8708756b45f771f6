import PerchHTTP
import PerchSystem

/// What a client of a TCP listener (`[web]`, or `perch view`'s) may do: read only (GET and
/// HEAD; anything else is 403), and, when a token is set, only with it (401 otherwise).
/// The token comes as `Authorization: Bearer TOKEN` or the cookie `perch_token`, which
/// `/?token=TOKEN` sets (then redirects to `/`, so the token leaves the address bar).
public struct WebAccess: Sendable {
    public static let cookieName = "perch_token"
    public let token: String?

    public init(token: String?) {
        self.token = token
    }

    public enum Decision {
        case allow
        case answer(HTTPResponse)
    }

    public func check(_ request: HTTPRequest) -> Decision {
        if let token {
            if request.path == "/", let given = HTTPQuery.value("token", in: request.head.query) {
                guard WebAccess.same(given, token) else { return .answer(unauthorized("the token in the address is wrong")) }
                var response = HTTPResponse(status: .seeOther, headers: HTTPHeaders([("Location", "/"), ("Cache-Control", "no-store")]))
                response.headers.add("Set-Cookie", WebAccess.cookieName + "=" + token + "; Path=/; HttpOnly; SameSite=Strict")
                return .answer(response)
            }
            guard let presented = WebAccess.presentedToken(request.head.headers) else {
                return .answer(unauthorized("a token is required: open /?token=TOKEN once, or send Authorization: Bearer TOKEN"))
            }
            guard WebAccess.same(presented, token) else { return .answer(unauthorized("wrong token")) }
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .answer(.error(.forbidden, "this listener is read-only (GET and HEAD); " + request.method + " "
                                  + request.path + " is accepted on perchd's Unix socket only"))
        }
        return .allow
    }

    private func unauthorized(_ message: String) -> HTTPResponse {
        var response = HTTPResponse.error(.unauthorized, message)
        response.headers.add("WWW-Authenticate", "Bearer realm=\"perch\"")
        return response
    }

    /// The bearer token, else the cookie's value.
    static func presentedToken(_ headers: HTTPHeaders) -> String? {
        if let authorization = headers["Authorization"], authorization.lowercased().hasPrefix("bearer ") {
            return trimmed(String(authorization.dropFirst(7)))
        }
        for header in headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let text = trimmed(String(pair))
                if text.hasPrefix(cookieName + "=") { return String(text.dropFirst(cookieName.utf8.count + 1)) }
            }
        }
        return nil
    }

    /// Compares in time independent of where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = x.count ^ y.count
        for i in 0..<max(x.count, y.count) {
            difference |= Int((i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0))
        }
        return difference == 0
    }

    static func trimmed(_ text: String) -> String {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropLast() }
        return String(s)
    }

    /// Why a token file cannot be used: one message naming the file.
    public struct TokenFileError: Error {
        public let message: String
    }

    /// The token file's first line, blanks trimmed; an empty or unreadable file is an error.
    public static func readToken(_ path: String) -> Result<String, TokenFileError> {
        do throws(Errno) {
            let bytes = try Files.read(path)
            let firstLine = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? []
            let token = trimmed(String(decoding: firstLine, as: UTF8.self))
            guard token.utf8.count >= 16 else {
                return .failure(TokenFileError(message: "web.token-file " + path + ": the token must be at least 16 characters on the first line"))
            }
            guard token.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: ",") }) else {
                return .failure(TokenFileError(message: "web.token-file " + path + ": the token may hold printable ASCII without blanks, ';' or ','"))
            }
            return .success(token)
        } catch {
            return .failure(TokenFileError(message: "web.token-file " + path + ": cannot read: " + error.description))
        }
    }
}
