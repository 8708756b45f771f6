import CPerchSystem
import PerchDaemonCore
import PerchDevices
import PerchFrontends
import PerchHTTP
import PerchJSON
import PerchMedia
import PerchRuntime
import PerchServer
import PerchSystem


/// One configured GPIO line (an `[action]` output or a `[gpio-input]`) as the daemon got it:
/// `error` is nil when the line is held, else why it is not (the chip or line is missing,
/// busy, not permitted). Such a line stays disabled until the next reload; the rest runs.
struct GpioLineStatus: Sendable {
    /// "action" or "gpio-input".
    var kind: String
    /// The section's name (`[action porch-light]` → "porch-light").
    var name: String
    var chip: String
    var line: Int
    var error: String?

    /// "action porch-light (gpiochip0 line 17)": how log lines and faults name it.
    var label: String { kind + " " + name + " (" + chip + " line " + String(line) + ")" }
}
