import PerchDaemonCore
import PerchMQTT
import PerchSystem


/// One thing that is wrong right now while the rest keeps running: a GPIO line not held, a
/// source that is not capturing, a model's last error, a failed reload, log lines lost.
/// GET /v1/status lists them under "faults" so a client (and `perch status`) need not know
/// every field that can carry an error.
struct Fault {
    /// "gpio", "source", "model", "reload", "log".
    var component: String
    var message: String
}

enum Faults {
    static func current(_ state: DaemonState) -> [Fault] {
        let pipeline = state.current
        var faults: [Fault] = []
        for line in pipeline.gpioLines {
            if let error = line.error { faults.append(Fault(component: "gpio", message: line.label + ": " + error)) }
        }
        for source in pipeline.sourceStatuses where source.kind != "gpio" {
            let s = source.snapshot()
            if s.state != "running", let error = s.lastError {
                faults.append(Fault(component: "source", message: s.name + " (" + s.state + "): " + error))
            }
        }
        for runner in pipeline.models {
            if let error = runner.snapshot.lastError {
                faults.append(Fault(component: "model", message: runner.config.name + ": " + error))
            }
        }
        if let error = state.reloadStatus.error {
            faults.append(Fault(component: "reload", message: "the last reload failed; the previous configuration keeps running: "
                                + error))
        }
        if let mqtt = state.mqtt?.snapshot, !mqtt.connected, let error = mqtt.lastError {
            faults.append(Fault(component: "mqtt", message: mqtt.broker + " (" + mqtt.state + "): " + error))
        }
        if let recorder = pipeline.recorder, let error = recorder.snapshot.lastError {
            faults.append(Fault(component: "record", message: error))
        }
        let dropped = Log.droppedLines
        if dropped > 0 {
            faults.append(Fault(component: "log", message: String(dropped) + " log lines could not be written to stderr: "
                                + (Log.lastWriteError?.description ?? "unknown error")))
        }
        return faults
    }
}
