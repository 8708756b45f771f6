import PerchCommandLine
import PerchSystem

/// `perch`: the command-line client and local tools. Subcommands dispatch from here.
public enum PerchCommand {
    static var helpText: String {
        "Usage: perch [--version] [--help] COMMAND [ARGS...]\n\n"
            + "Commands:\n"
            + "  model info MODEL      inputs, outputs, operators, arena bytes, MACs of a .tflite model\n"
            + "  model run MODEL --input FILE... --output FILE...\n"
            + "                        run a model on raw little-endian tensors\n"
            + "  model install NEW.tflite [--metadata FILE] [--model NAME]\n"
            + "                        check a model against the running perchd's, put it in place and reload\n"
            + "  audio features WAV --output FILE\n"
            + "                        int8 [frames x 40] micro_speech features of a WAV file\n"
            + "  audio bench           audio feature and resampler throughput\n"
            + "  image tensor IMAGE --model MODEL --output FILE\n"
            + "                        the model input tensor for a BMP/PPM/PGM image\n"
            + "  image bench           image pipeline throughput\n"
            + "  device camera|mic|play|gpio|signal|compare ...\n"
            + "                        exercise a camera, microphone or GPIO chip and print measurements\n"
            + "  status | models | results | watch | reload | metrics [--json] [--socket PATH]\n"
            + "                        query the running perchd over its socket\n"
            + "  view [--socket PATH] [--port PORT]\n"
            + "                        the live view in a browser: perchd's [web] address, or served here on 127.0.0.1\n"
            + "  record [--label LABEL] [--seconds N]\n"
            + "                        perchd saves the camera frame and audio from now into [record]'s directory\n"
            + "  infer FILE --model NAME\n"
            + "                        run a model in perchd on an image (BMP/PPM) or WAV file\n"
            + "  bench MODEL [--runs N] [--json]\n"
            + "                        median latency, time per operator, GMAC/s of a model\n"
    }

    public static func run(_ arguments: [String]) -> Int32 {
        let rest = Array(arguments.dropFirst())
        guard let command = rest.first else {
            StandardStream.error.write(helpText)
            return 2
        }
        switch command {
        case "--help", "-h", "help":
            StandardStream.output.write(helpText)
            return 0
        case "--version", "-V", "version":
            printLine("perch " + PerchVersion.string + " (" + PerchVersion.architecture + ", "
                      + PerchVersion.buildMode + ")")
            return 0
        case "status", "models", "results", "watch", "infer", "reload", "metrics", "record":
            return ClientCommands.run(command, Array(rest.dropFirst()))
        case "model":
            return ModelCommands.run(Array(rest.dropFirst()))
        case "view": return ViewCommand.run(Array(rest.dropFirst()))
        case "bench": return BenchCommand.run(Array(rest.dropFirst()))
        case "audio": return FrontendCommands.audio(Array(rest.dropFirst()))
        case "image": return FrontendCommands.image(Array(rest.dropFirst()))
        case "device":
            return DeviceCommands.run(Array(rest.dropFirst()))
        default:
            StandardStream.error.write("perch: unknown command '" + command + "'\nTry 'perch --help'.\n")
            return 2
        }
    }
}
