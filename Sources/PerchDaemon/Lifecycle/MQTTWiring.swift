import PerchDaemonCore
import PerchMQTT
import PerchSystem

/// Connects the MQTT bridge to the daemon: its hooks go through `state.current`, so they
/// follow reloads; its plan (what is published) is rebuilt from each new pipeline.
enum MQTTWiring {
    static func start(_ config: MQTTConfig, state: DaemonState) -> MQTTBridge {
        let hooks = MQTTHooks(
            setRule: { name, enabled in
                state.current.rules.setEnabled(name, enabled, time: WallClock.unixMilliseconds).map { _ in enabled }
            },
            isRuleEnabled: { name in state.current.rules.isEnabled(name) },
            isActive: { model, label in
                model == GpioInputConfig.eventModel ? false : state.current.rules.isActive(model: model, label: label)
            },
            infer: { model in
                guard let runner = state.current.model(named: model) else { return false }
                return runner.submit(InferenceJob(image: nil, audio: nil, live: true) { _ in })
            },
            scores: {
                state.current.results.all().filter { !$0.scores.isEmpty }
                    .map { (model: $0.model, labels: $0.labels, scores: $0.scores) }
            })
        let bridge = MQTTBridge(config: config, version: state.version, hooks: hooks)
        bridge.update(plan: plan(state.current))
        _ = state.bus.subscribe { event in
            bridge.handle(event)
            // The subscriber runs on the inference thread that raised the event, right after it
            // used this frame: the frame that started the event. Encoding happens on the MQTT thread.
            if bridge.wantsSnapshot(event), let frame = state.current.model(named: event.model)?.lastFrame {
                bridge.snapshot(SnapshotFrame(image: frame, event: event))
            }
        }
        do throws(Errno) {
            try bridge.start()
        } catch {
            Log.error("mqtt: cannot start its thread: " + error.description)
        }
        state.mqtt = bridge
        return bridge
    }

    /// After a reload: the new plan; broker settings need a restart.
    static func reloaded(_ pipeline: Pipeline, bridge: MQTTBridge) {
        if let new = pipeline.configuration.mqtt {
            // labels and snapshot follow the reload; the connection's settings do not.
            var a = new, b = bridge.config
            a.labels = nil; a.snapshot = false; b.labels = nil; b.snapshot = false
            if a != b { Log.warning("mqtt: broker settings changed; they take effect at the next restart") }
        } else {
            Log.warning("mqtt: [mqtt] was removed; perchd stays connected until the next restart")
        }
        bridge.update(plan: plan(pipeline))
    }

    /// The labels, rules and models of `pipeline` that MQTT publishes.
    static func plan(_ pipeline: Pipeline) -> MQTTPlan {
        let configuration = pipeline.configuration
        let ruleNames = Set(configuration.rules.map { $0.name })
        var labels: [MQTTPlan.Label] = []
        for name in configuration.publishedLabels {
            guard let dot = name.firstIndex(of: ".") else { continue }
            let model = String(name[..<dot]), label = String(name[name.index(after: dot)...])
            labels.append(MQTTPlan.Label(model: model, label: label, isRule: ruleNames.contains(name)))
        }
        let models = pipeline.models.map { MQTTPlan.Model(name: $0.config.name, labels: $0.labels) }
        let snapshot = (configuration.mqtt?.snapshot ?? false) && !pipeline.cameras.isEmpty
        return MQTTPlan(labels: labels, models: models, snapshot: snapshot)
    }
}
