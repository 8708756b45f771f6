import PerchMedia

/// An inference run outside the model's schedule: a POST /v1/infer upload or a GPIO trigger.
/// `image`/`audio` replace the live source on the model's image/audio input.
final class InferenceJob: @unchecked Sendable {
    let image: Image?
    let audio: WAVAudio?
    /// A GPIO trigger: results are recorded and rules run, as for a scheduled inference.
    let live: Bool
    /// Called on the inference thread with the outcome.
    let reply: (InferenceOutcome) -> Void

    init(image: Image?, audio: WAVAudio?, live: Bool, reply: @escaping (InferenceOutcome) -> Void) {
        self.image = image
        self.audio = audio
        self.live = live
        self.reply = reply
    }
}

/// What one inference produced, or why it could not run.
struct InferenceOutcome {
    var model: String
    var labels: [String]
    var scores: [Float]
    var attributionNames: [String]
    var attribution: [Float]?
    var microseconds: Int64
    var error: String?
    /// A live camera frame was stale (no new one for 3 periods): image labels are held off.
    var stale = false
}
