import PerchCommandLine
import PerchSystem

/// `perch device camera|mic|play|gpio|signal|compare`: exercises one device and prints
/// what it measured. The VM device tests run exactly these against real drivers.
enum DeviceCommands {
    static var helpText: String {
        "Usage: perch device COMMAND [ARGS...]\n\n"
            + "Commands:\n"
            + "  camera PATH|test-pattern|IMAGE  capture frames (V4L2 through libv4l2, or a synthetic source)\n"
            + "  mic PCM                         record S16_LE from an ALSA PCM (default, hw:1,0, plughw:...)\n"
            + "  play PCM FILE.wav               play a WAV file into an ALSA PCM\n"
            + "  gpio CHIP                       set, pulse or watch GPIO lines (libgpiod)\n"
            + "  signal FILE.wav                 write a deterministic noise signal for loopback tests\n"
            + "  compare REF.wav RECORDED        check a recording contains the reference\n\n"
            + "Run 'perch device COMMAND --help' for a command's options.\n"
    }

    static func run(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else {
            StandardStream.error.write(helpText)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        switch command {
        case "--help", "-h", "help":
            StandardStream.output.write(helpText)
            return 0
        case "camera": return DeviceCameraCommand.run(rest)
        case "mic": return DeviceAudioCommands.record(rest)
        case "play": return DeviceAudioCommands.play(rest)
        case "signal": return DeviceAudioCommands.signal(rest)
        case "compare": return DeviceAudioCommands.compare(rest)
        case "gpio": return DeviceGpioCommand.run(rest)
        default:
            StandardStream.error.write("perch device: unknown command '" + command + "'\n" + helpText)
            return 2
        }
    }

    /// Parses `arguments` for a device command; prints usage errors and help. Returns nil
    /// when the command should exit with `status`.
    static func parse(_ name: String, _ arguments: [String], options: [OptionSpec], usage: String,
                      positionals: Int, status: inout Int32) -> ParsedArguments? {
        let all = options + [.flag("help", short: "h", help: "show this help")]
        do throws(UsageError) {
            let parsed = try parseArguments(arguments[...], options: all)
            if parsed.has("help") {
                StandardStream.output.write("Usage: perch device " + name + " " + usage + "\n\n" + optionsHelp(all))
                status = 0
                return nil
            }
            if parsed.positionals.count < positionals { throw UsageError.missingArgument(usage) }
            if parsed.positionals.count > positionals { throw UsageError.unexpectedArgument(parsed.positionals[positionals]) }
            return parsed
        } catch {
            StandardStream.error.write("perch device " + name + ": " + error.description + "\n")
            status = 2
            return nil
        }
    }

    /// An integer option with a default and a lower bound.
    static func integer(_ parsed: ParsedArguments, _ name: String, default value: Int, minimum: Int = 0) throws(UsageError) -> Int {
        guard let text = parsed.value(name) else { return value }
        guard let number = Int(text), number >= minimum else {
            throw .invalidValue(option: name, value: text, expected: "an integer >= " + String(minimum))
        }
        return number
    }
}
