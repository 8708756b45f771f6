/// The socket API's operations; `all` is what the router serves and what
/// docs/openapi.yaml must describe.
public enum Endpoint: Sendable, CaseIterable {
    case status, models, resultsLatest, events, infer, reload, metrics, record
    // The live view: the page and what it reads besides the endpoints above.
    case page, snapshot, stream, audio, rules

    public var method: String {
        switch self {
        case .infer, .reload, .record: return "POST"
        default: return "GET"
        }
    }

    public var path: String {
        switch self {
        case .status: return "/v1/status"
        case .models: return "/v1/models"
        case .resultsLatest: return "/v1/results/latest"
        case .events: return "/v1/events"
        case .infer: return "/v1/infer"
        case .reload: return "/v1/reload"
        case .metrics: return "/v1/metrics"
        case .record: return "/v1/record"
        case .page: return "/"
        case .snapshot: return "/v1/snapshot"
        case .stream: return "/v1/stream"
        case .audio: return "/v1/audio"
        case .rules: return "/v1/rules"
        }
    }
}
