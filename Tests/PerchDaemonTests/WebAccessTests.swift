import PerchHTTP
import PerchServer
import XCTest

/// Who may do what on a TCP listener ([web], perch view).
final class WebAccessTests: XCTestCase {
    func request(_ method: String, _ target: String, _ headers: [(String, String)] = []) -> HTTPRequest {
        let parts = target.split(separator: "?", maxSplits: 1).map(String.init)
        return HTTPRequest(head: HTTPRequestHead(method: method, target: target, path: parts[0], query: parts.count > 1 ? parts[1] : nil,
                                                 version: .http1_1, headers: HTTPHeaders(headers)))
    }

    func status(_ decision: WebAccess.Decision) -> Int {
        if case .answer(let response) = decision { return response.status.code }
        return 200
    }

    let token = "0123456789abcdef0123456789abcdef"

    func testReadOnlyWithoutToken() {
        let open = WebAccess(token: nil)
        XCTAssertEqual(status(open.check(request("GET", "/v1/status"))), 200)
        XCTAssertEqual(status(open.check(request("HEAD", "/"))), 200)
        XCTAssertEqual(status(open.check(request("POST", "/v1/reload"))), 403)
        XCTAssertEqual(status(open.check(request("POST", "/v1/infer?model=av"))), 403)
        XCTAssertEqual(status(open.check(request("PUT", "/v1/status"))), 403)
    }

    func testTokenAsBearerOrCookie() {
        let access = WebAccess(token: token)
        XCTAssertEqual(status(access.check(request("GET", "/v1/status"))), 401)
        XCTAssertEqual(status(access.check(request("GET", "/v1/status", [("Authorization", "Bearer nope")]))), 401)
        XCTAssertEqual(status(access.check(request("GET", "/v1/status", [("Authorization", "Bearer " + token)]))), 200)
        XCTAssertEqual(status(access.check(request("GET", "/", [("Cookie", "a=b; perch_token=" + token)]))), 200)
        XCTAssertEqual(status(access.check(request("GET", "/", [("Cookie", "perch_token=" + token + "x")]))), 401)
        // The token opens the page, not the door to state changes.
        XCTAssertEqual(status(access.check(request("POST", "/v1/reload", [("Authorization", "Bearer " + token)]))), 403)
    }

    func testTokenInTheAddressSetsTheCookie() {
        let access = WebAccess(token: token)
        guard case .answer(let response) = access.check(request("GET", "/?token=" + token)) else { return XCTFail("no answer") }
        XCTAssertEqual(response.status.code, 303)
        XCTAssertEqual(response.headers["Location"], "/")
        XCTAssertEqual(response.headers["Set-Cookie"], "perch_token=" + token + "; Path=/; HttpOnly; SameSite=Strict")
        XCTAssertEqual(status(access.check(request("GET", "/?token=wrong"))), 401)
    }
}
