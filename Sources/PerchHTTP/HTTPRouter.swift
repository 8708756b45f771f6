/// Maps method and path to a handler value (an id, an enum case, a closure). Patterns are
/// '/'-separated segments; a segment `{name}` matches any one non-empty segment and is
/// returned as a parameter.
public struct HTTPRouter<Handler> {
    private struct Route {
        var method: String
        var segments: [Substring]
        var handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        routes.append(Route(method: method, segments: splitPath(pattern), handler: handler))
    }

    /// The handler for `method` and `path`; if the path matches with other methods only,
    /// `.methodNotAllowed` lists them (for the Allow header); otherwise `.notFound`.
    public func route(method: String, path: String) -> HTTPRoute<Handler> {
        let segments = splitPath(path)
        var allowed: [String] = []
        for route in routes {
            guard let parameters = match(route.segments, segments) else { continue }
            if route.method == method { return .matched(route.handler, parameters: parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private func match(_ pattern: [Substring], _ segments: [Substring]) -> [String: String]? {
        guard pattern.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (p, s) in zip(pattern, segments) {
            if p.utf8.first == UInt8(ascii: "{") && p.utf8.last == UInt8(ascii: "}") && p.utf8.count > 2 {
                guard !s.isEmpty else { return nil }
                parameters[String(p.dropFirst().dropLast())] = String(s)
            } else if p != s {
                return nil
            }
        }
        return parameters
    }
}

public enum HTTPRoute<Handler> {
    case matched(Handler, parameters: [String: String])
    case notFound
    case methodNotAllowed(allowed: [String])

    /// The standard JSON error response for `.notFound` / `.methodNotAllowed`; nil when matched.
    public func errorResponse(method: String, path: String) -> HTTPResponse? {
        switch self {
        case .matched: return nil
        case .notFound: return .error(.notFound, "no such resource: " + path)
        case .methodNotAllowed(let allowed): return .methodNotAllowed(allowed: allowed, method: method)
        }
    }
}

/// "/v1/models/" → ["v1", "models", ""]: a trailing slash is a distinct path.
private func splitPath(_ path: String) -> [Substring] {
    var segments = path.split(separator: "/", omittingEmptySubsequences: false)
    if segments.first == "" { segments.removeFirst() }
    return segments
}
