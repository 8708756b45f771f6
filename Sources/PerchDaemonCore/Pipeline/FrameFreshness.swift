/// Whether a model's camera frame is live. A camera that stops delivering (unplugged,
/// unbound, stalled) leaves its last frame in the model's input; inferring on it would keep
/// raising whatever that frame showed. The frame counts as stale once no new one came for
/// three of the model's periods or three of the camera's frame periods, whichever is longer,
/// and at least 1 s (a 1 fps camera feeding a 4/s model is not stale between its frames).
/// A pure value, tested on the host.
public struct FrameFreshness: Sendable {
    public let limitNs: Int64
    /// Monotonic time of the last new frame; nil before the first.
    public private(set) var lastNewNs: Int64? = nil

    /// `cameraFps`: the frame rate the camera was asked for (0: not known).
    public init(modelRate: Double, cameraFps: Double = 0) {
        let modelPeriods = 3_000_000_000.0 / max(modelRate, 0.001)
        let framePeriods = cameraFps > 0 ? 3_000_000_000.0 / cameraFps : 0
        limitNs = max(Int64(max(modelPeriods, framePeriods)), 1_000_000_000)
    }

    /// A new frame arrived at `nowNs`.
    public mutating func newFrame(at nowNs: Int64) { lastNewNs = nowNs }

    /// True when a frame was seen and none newer came within the limit.
    public func isStale(at nowNs: Int64) -> Bool {
        guard let lastNewNs else { return false }
        return nowNs - lastNewNs > limitNs
    }
}

/// The scores the rule engine gets from an inference on a stale frame: labels that come
/// from the audio alone (`[model] audio-labels`) keep theirs; every image or fused label
/// reads 0, so it raises no start event and an episode in progress ends by its `off` rule.
public func scoresWithImageHeld(_ scores: [Float], labels: [String], audioLabels: [String]) -> [Float] {
    var held = scores
    for i in held.indices where i >= labels.count || !audioLabels.contains(labels[i]) { held[i] = 0 }
    return held
}
