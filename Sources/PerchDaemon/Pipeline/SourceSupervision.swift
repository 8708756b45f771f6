import PerchSystem
import PerchDevices

/// The life of one capture source, shared by cameras and microphones: open it, retry with
/// backoff while it is missing or broken (reporting why in its status), capture until it
/// fails or the daemon stops, close it, and start over.
func superviseSource<Source>(kind: String, name: String, status: SourceStatus, stop: StopFlag,
                             make: () -> Source,
                             start: (Source) throws(DeviceError) -> Void,
                             describe: (Source) -> String,
                             capture: (Source) -> Void,
                             close: (Source) -> Void) {
    var backoff = Backoff()
    while !stop.isSet {
        let source = make()
        do throws(DeviceError) {
            try start(source)
        } catch {
            let delay = backoff.nextDelayMs()
            Log.warning(kind + " " + name + ": " + error.description + "; retrying in " + String(delay) + " ms")
            status.fail(error.description, state: error.isRecoverable ? "waiting" : "failed", retry: true)
            if stop.sleep(milliseconds: delay) { break }
            continue
        }
        backoff.reset()
        status.set(state: "running")
        Log.info(kind + " " + name + ": " + describe(source))
        capture(source)
        close(source)
    }
    status.set(state: "stopped")
}
