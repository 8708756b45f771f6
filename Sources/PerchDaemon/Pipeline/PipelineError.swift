/// Why a pipeline could not be built: every problem found, one message each.
public struct PipelineError: Error {
    public var messages: [String]

    public init(_ messages: [String]) { self.messages = messages }

    public var description: String {
        var text = ""
        for (i, m) in messages.enumerated() { text += (i == 0 ? "" : "\n") + m }
        return text
    }
}
