import PerchSystem

/// The latest results of every model, written by inference threads and read by the API.
public final class ResultsStore: @unchecked Sendable {
    private let lock = PthreadMutex()
    private var results: [ModelResults]
    /// Attribution element names per model, from the configuration.
    private let attributionNames: [String: [String]]

    public init(models: [ModelConfig]) {
        results = models.map { ModelResults(model: $0.name, labels: $0.labels ?? []) }
        var names: [String: [String]] = [:]
        for model in models { if let attribution = model.attribution { names[model.name] = attribution.names } }
        attributionNames = names
    }

    /// Records one inference. `attribution` is the optional second output, named as configured.
    /// Unknown models are ignored (the configuration decides which exist).
    public func record(model: String, scores: [Float], attribution: [Float]? = nil,
                       inferenceMicroseconds: Int64, time: Int64, stale: Bool = false) {
        lock.withLock {
            guard let i = results.firstIndex(where: { $0.model == model }) else { return }
            results[i].scores = scores
            results[i].stale = stale
            if let attribution {
                let names = attributionNames[model] ?? []
                results[i].attribution = NamedVector(names: names, values: attribution)
            }
            results[i].inferenceMicroseconds = inferenceMicroseconds
            results[i].time = time
            results[i].inferences += 1
        }
    }

    /// Labels read after start-up (e.g. from the model file) replace the configured ones.
    public func setLabels(model: String, labels: [String]) {
        lock.withLock {
            guard let i = results.firstIndex(where: { $0.model == model }) else { return }
            results[i].labels = labels
        }
    }

    public func recordDropped(model: String, frames: UInt64) {
        lock.withLock {
            guard let i = results.firstIndex(where: { $0.model == model }) else { return }
            results[i].droppedFrames += frames
        }
    }

    public func latest(model: String) -> ModelResults? {
        lock.withLock { results.first { $0.model == model } }
    }

    /// Every model, in configuration order.
    public func all() -> [ModelResults] {
        lock.withLock { results }
    }
}
