import PerchDaemonCore
import PerchMQTT
import PerchSystem

/// GET /v1/metrics: the Prometheus text exposition format (version 0.0.4).
enum Metrics {
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func render(_ state: DaemonState) -> String {
        let pipeline = state.current
        var text = ""
        func family(_ name: String, _ type: String, _ help: String) {
            text += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n"
        }
        family("perch_uptime_seconds", "gauge", "Seconds since perchd started.")
        text += "perch_uptime_seconds " + String(state.uptimeSeconds) + "\n"
        family("perch_inferences_total", "counter", "Inferences run per model.")
        for m in pipeline.models {
            text += "perch_inferences_total{model=\"" + escape(m.config.name) + "\"} " + String(m.snapshot.inferences) + "\n"
        }
        family("perch_inference_seconds", "summary", "Time spent in model invocations.")
        for m in pipeline.models {
            let c = m.snapshot
            let label = "{model=\"" + escape(m.config.name) + "\"}"
            text += "perch_inference_seconds_sum" + label + " " + String(c.secondsSum) + "\n"
            text += "perch_inference_seconds_count" + label + " " + String(c.inferences) + "\n"
        }
        let sources = pipeline.sourceStatuses.map { $0.snapshot() }
        family("perch_frames_total", "counter", "Frames captured per camera (sample frames per microphone).")
        for s in sources where s.kind != "gpio" {
            text += "perch_frames_total{source=\"" + escape(s.name) + "\"} " + String(s.frames) + "\n"
        }
        family("perch_frames_dropped_total", "counter", "Camera frames dropped from a model's full queue.")
        for m in pipeline.models {
            text += "perch_frames_dropped_total{model=\"" + escape(m.config.name) + "\"} " + String(m.frameDrops) + "\n"
        }
        family("perch_audio_xruns_total", "counter", "Capture overruns per microphone.")
        for s in sources where s.kind == "microphone" {
            text += "perch_audio_xruns_total{source=\"" + escape(s.name) + "\"} " + String(s.xruns) + "\n"
        }
        family("perch_source_up", "gauge", "1 when the source is running.")
        for s in sources {
            text += "perch_source_up{source=\"" + escape(s.name) + "\",kind=\"" + s.kind + "\"} " + (s.state == "running" ? "1" : "0") + "\n"
        }
        family("perch_events_total", "counter", "Events published per model, label and state.")
        for t in state.eventTotals {
            text += "perch_events_total{model=\"" + escape(t.model) + "\",label=\"" + escape(t.label) + "\",state=\""
                + t.state + "\"} " + String(t.count) + "\n"
        }
        family("perch_faults", "gauge", "Faults now: things not working while the rest runs (see /v1/status faults).")
        text += "perch_faults " + String(Faults.current(state).count) + "\n"
        family("perch_reload_failures_total", "counter", "Reloads that failed; the previous configuration kept running.")
        text += "perch_reload_failures_total " + String(state.reloadStatus.failures) + "\n"
        if let m = state.mqtt?.snapshot {
            family("perch_mqtt_connected", "gauge", "1 while connected to the MQTT broker.")
            text += "perch_mqtt_connected " + (m.connected ? "1" : "0") + "\n"
            family("perch_mqtt_retries_total", "counter", "MQTT connection attempts that failed and connections lost.")
            text += "perch_mqtt_retries_total " + String(m.retries) + "\n"
            family("perch_mqtt_queued", "gauge", "Messages waiting for the broker in perchd's bounded queue.")
            text += "perch_mqtt_queued " + String(m.queued) + "\n"
            family("perch_mqtt_messages_sent_total", "counter", "Messages handed to the broker connection.")
            text += "perch_mqtt_messages_sent_total " + String(m.messagesSent) + "\n"
            family("perch_mqtt_events_total", "counter", "Events for MQTT by outcome: produced, delivered (acknowledged), dropped.")
            text += "perch_mqtt_events_total{outcome=\"produced\"} " + String(m.eventsProduced) + "\n"
            text += "perch_mqtt_events_total{outcome=\"delivered\"} " + String(m.eventsDelivered) + "\n"
            text += "perch_mqtt_events_total{outcome=\"dropped\"} " + String(m.eventsDropped) + "\n"
        }
        family("perch_log_lines_dropped_total", "counter", "Log lines stderr refused (full disk, closed pipe).")
        text += "perch_log_lines_dropped_total " + String(Log.droppedLines) + "\n"
        return text
    }
}
