import PerchCommandLine
import PerchFrontends
import PerchMedia
import PerchRuntime
import PerchSystem

/// `perch audio features|bench` and `perch image tensor|bench`: the signal frontends from the
/// command line, no daemon needed.
enum FrontendCommands {
    static let audioHelp = "Usage: perch audio features WAV --output FILE [--int16]\n"
        + "       perch audio bench [--runs N] [--seconds S]\n\n"
        + "features: micro_speech features (30 ms windows every 20 ms, 40 channels) of a PCM WAV file,\n"
        + "  resampled to 16 kHz mono first if needed; writes frames x 40 int8 (or little-endian int16\n"
        + "  log features with --int16).\n"
        + "bench: feature frames and resampled samples per second (median of N runs).\n"

    static let imageHelp = "Usage: perch image tensor IMAGE --output FILE (--model MODEL | --width W --height H\n"
        + "                         --channels C --scale S --zero-point Z) [OPTIONS]\n"
        + "       perch image bench [--runs N] [--frames N]\n\n"
        + "tensor: the input tensor (HWC bytes) a BMP/PGM/PPM image becomes.\n"

    static let audioFeatureOptions: [OptionSpec] = [
        .value("output", short: "o", valueName: "FILE", help: "where to write the features"),
        .flag("int16", help: "write the int16 log features instead of the int8 model input"),
        .flag("help", short: "h", help: "show this help"),
    ]

    static let imageTensorOptions: [OptionSpec] = [
        .value("output", short: "o", valueName: "FILE", help: "where to write the tensor"),
        .value("model", valueName: "MODEL", help: "take geometry and quantization from the model's input"),
        .value("width", valueName: "W", help: "input width (overrides the model)"),
        .value("height", valueName: "H", help: "input height"),
        .value("channels", valueName: "C", help: "1 (grey) or 3 (RGB)"),
        .value("scale", valueName: "S", help: "input quantization scale"),
        .value("zero-point", valueName: "Z", help: "input quantization zero point"),
        .value("type", valueName: "T", help: "int8 (default) or uint8"),
        .value("normalize", valueName: "N", help: "unit [0,1], symmetric [-1,1] or minus128 (default: pixel-128)"),
        .value("crop", valueName: "R", help: "centre (default), full, WxH (centred) or X,Y,W,H"),
        .value("resize", valueName: "M", help: "auto (default), bilinear or area"),
        .flag("signed-pixels", help: "the file holds int8 tensor bytes (TFLM's example BMPs): flip bit 7 first"),
        .flag("help", short: "h", help: "show this help"),
    ]

    static func fail(_ command: String, _ message: String) -> Int32 {
        StandardStream.error.write("perch " + command + ": " + message + "\n")
        return 1
    }

    /// A file's error names the file already; a configuration error gets the path in front.
    static func message(_ error: FrontendError, path: String) -> String {
        if case .mediaFile = error { return error.description }
        return path + ": " + error.description
    }

    static func usage(_ command: String, _ message: String) -> Int32 {
        StandardStream.error.write("perch " + command + ": " + message + "\nTry 'perch " + command + " --help'.\n")
        return 2
    }

    // MARK: audio

    static func audio(_ arguments: [String]) -> Int32 {
        switch arguments.first {
        case "features": return audioFeatures(Array(arguments.dropFirst()))
        case "bench": return FrontendBenchmarks.audio(Array(arguments.dropFirst()))
        case "--help", "-h", "help":
            StandardStream.output.write(audioHelp)
            return 0
        default:
            StandardStream.error.write(audioHelp)
            return 2
        }
    }

    static func audioFeatures(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments[...], options: audioFeatureOptions)
        } catch {
            return usage("audio", error.description)
        }
        if parsed.has("help") {
            StandardStream.output.write(audioHelp + "\n" + optionsHelp(audioFeatureOptions))
            return 0
        }
        guard parsed.positionals.count == 1 else { return usage("audio", "features needs one WAV file") }
        guard let outputPath = parsed.value("output") else { return usage("audio", "missing --output FILE") }
        let path = parsed.positionals[0]
        let bytes: [UInt8]
        do throws(Errno) { bytes = try Files.read(path) } catch { return fail("audio", path + ": " + error.description) }
        var out: [UInt8] = []
        var frames = 0
        do throws(FrontendError) {
            let wav: WAVAudio
            do { wav = try WAVFile.read(bytes, path: path) } catch { throw .mediaFile(error) }
            let extractor = try AudioFeatureExtractor()
            let int16 = parsed.has("int16")
            let emit: (UnsafeBufferPointer<Int8>) -> Void = { features in
                frames += 1
                if int16 {
                    for v in extractor.lastLogFeatures {
                        let u = UInt16(bitPattern: v)
                        out.append(UInt8(u & 0xFF)); out.append(UInt8(u >> 8))
                    }
                } else {
                    for v in features { out.append(UInt8(bitPattern: v)) }
                }
            }
            if wav.sampleRate == 16000 && wav.channels == 1 {
                extractor.process(wav.samples, emit)
            } else {
                let resampler = try Resampler(inputRate: wav.sampleRate, outputRate: 16000, channels: wav.channels)
                resampler.process(wav.samples) { block in extractor.process(block, emit) }
            }
        } catch {
            return fail("audio", message(error, path: path))
        }
        do throws(Errno) { try Files.write(outputPath, out) } catch { return fail("audio", outputPath + ": " + error.description) }
        printLine(String(frames) + " frames x 40 -> " + outputPath)
        return 0
    }

    // MARK: image

    static func image(_ arguments: [String]) -> Int32 {
        switch arguments.first {
        case "tensor": return imageTensor(Array(arguments.dropFirst()))
        case "bench": return FrontendBenchmarks.image(Array(arguments.dropFirst()))
        case "--help", "-h", "help":
            StandardStream.output.write(imageHelp)
            return 0
        default:
            StandardStream.error.write(imageHelp)
            return 2
        }
    }

    static func imageTensor(_ arguments: [String]) -> Int32 {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try parseArguments(arguments[...], options: imageTensorOptions)
        } catch {
            return usage("image", error.description)
        }
        if parsed.has("help") {
            StandardStream.output.write(imageHelp + "\n" + optionsHelp(imageTensorOptions))
            return 0
        }
        guard parsed.positionals.count == 1 else { return usage("image", "tensor needs one image file") }
        guard let outputPath = parsed.value("output") else { return usage("image", "missing --output FILE") }
        let geometry: ImageTensorGeometry
        let region: RegionOfInterest
        let normalization: PixelNormalization
        let method: ResizeMethod
        do throws(UsageError) {
            geometry = try tensorGeometry(parsed)
            region = try parseRegion(parsed.value("crop") ?? "centre")
            guard let n = PixelNormalization(name: parsed.value("normalize") ?? "minus128") else {
                throw .invalidValue(option: "normalize", value: parsed.value("normalize") ?? "", expected: "unit, symmetric or minus128")
            }
            normalization = n
            switch parsed.value("resize") ?? "auto" {
            case "auto", "automatic": method = .auto
            case "bilinear": method = .bilinear
            case "area": method = .area
            case let other: throw .invalidValue(option: "resize", value: other, expected: "auto, bilinear or area")
            }
        } catch {
            return usage("image", error.description)
        }
        let path = parsed.positionals[0]
        let bytes: [UInt8]
        do throws(Errno) { bytes = try Files.read(path) } catch { return fail("image", path + ": " + error.description) }
        let tensor: [UInt8]
        let used: PixelRect
        do throws(FrontendError) {
            var picture: Image
            do { picture = try ImageFile.read(bytes, path: path) } catch { throw .mediaFile(error) }
            if parsed.has("signed-pixels") { picture.pixels = picture.pixels.map { $0 ^ 0x80 } }
            let pipeline = try ImagePipeline(geometry: geometry, region: region, resize: method, normalization: normalization)
            tensor = try pipeline.run(picture)
            used = pipeline.lastRegion!
        } catch {
            return fail("image", message(error, path: path))
        }
        do throws(Errno) { try Files.write(outputPath, tensor) } catch { return fail("image", outputPath + ": " + error.description) }
        printLine(String(geometry.height) + "x" + String(geometry.width) + "x" + String(geometry.channels) + " "
                  + geometry.type.name + " from region " + String(used.x) + "," + String(used.y) + " "
                  + String(used.width) + "x" + String(used.height) + " -> " + outputPath)
        return 0
    }

    /// The target tensor: from `--model` (once the runtime lands) with the explicit options
    /// as overrides.
    static func tensorGeometry(_ parsed: ParsedArguments) throws(UsageError) -> ImageTensorGeometry {
        var width: Int? = nil, height: Int? = nil, channels: Int? = nil
        var scale: Double? = nil, zeroPoint: Int? = nil
        var type: ElementType = .int8
        if let path = parsed.value("model") {
            let input = try imageInput(ofModel: path)
            height = input.shape[1]; width = input.shape[2]; channels = input.shape[3]
            type = input.type
            if let s = input.scale { scale = Double(s) }
            if let z = input.zeroPoint { zeroPoint = Int(z) }
        }
        func int(_ name: String) throws(UsageError) -> Int? {
            guard let text = parsed.value(name) else { return nil }
            guard let v = Int(text) else { throw .invalidValue(option: name, value: text, expected: "an integer") }
            return v
        }
        width = try int("width") ?? width
        height = try int("height") ?? height
        channels = try int("channels") ?? channels
        zeroPoint = try int("zero-point") ?? zeroPoint
        if let text = parsed.value("scale") {
            guard let v = parseDouble(text), v > 0 else { throw .invalidValue(option: "scale", value: text, expected: "a number > 0") }
            scale = v
        }
        if let text = parsed.value("type") {
            switch text {
            case "int8": type = .int8
            case "uint8": type = .uint8
            default: throw .invalidValue(option: "type", value: text, expected: "int8 or uint8")
            }
        }
        guard let w = width, let h = height else { throw .missingArgument("--width and --height (or --model)") }
        let c = channels ?? 1
        guard c == 1 || c == 3 else { throw .invalidValue(option: "channels", value: String(c), expected: "1 or 3") }
        let defaultZero = type == .int8 ? -128 : 0
        return ImageTensorGeometry(width: w, height: h, channels: c, type: type, scale: Float(scale ?? 1.0 / 255),
                                   zeroPoint: Int32(zeroPoint ?? defaultZero))
    }

    /// The model's first input shaped like an image, [1, H, W, 1 or 3] of int8/uint8.
    static func imageInput(ofModel path: String) throws(UsageError) -> TensorSummary {
        func invalid(_ why: String) -> UsageError {
            .invalidValue(option: "model", value: path, expected: "a model with an image input (" + why + ")")
        }
        let bytes: [UInt8]
        do throws(Errno) { bytes = try Files.read(path) } catch { throw invalid(error.description) }
        let model: LoadedModel
        do throws(ModelError) { model = try LoadedModel(modelBytes: bytes) } catch { throw invalid(error.description) }
        for input in model.summary.inputs {
            let s = input.shape
            if s.count == 4, s[0] == 1, s[3] == 1 || s[3] == 3, input.type == .int8 || input.type == .uint8 {
                return input
            }
        }
        throw invalid("no [1, H, W, 1 or 3] int8/uint8 input")
    }

    static func parseRegion(_ text: String) throws(UsageError) -> RegionOfInterest {
        switch text {
        case "centre", "center": return .centreCrop
        case "full": return .full
        default: break
        }
        let invalid = UsageError.invalidValue(option: "crop", value: text, expected: "centre, full, WxH or X,Y,W,H")
        if text.utf8.contains(UInt8(ascii: "x")) {
            let parts = text.split(separator: "x").map { Int(String($0)) }
            guard parts.count == 2, let w = parts[0], let h = parts[1], w > 0, h > 0 else { throw invalid }
            return .centre(width: w, height: h)
        }
        let parts = text.split(separator: ",").map { Int(String($0)) }
        guard parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3], w > 0, h > 0 else {
            throw invalid
        }
        return .rect(PixelRect(x: x, y: y, width: w, height: h))
    }
}
