import PerchDaemonCore
import PerchFrontends
import PerchRuntime
import PerchRuntimeSetup
import PerchSystem

/// Loads one `[model]`, checks its tensors against the configuration and wires its inputs
/// to the sources. Every problem is reported, prefixed with the model's name.
enum ModelBuilder {
    static func build(_ config: ModelConfig, cameras: [CameraWorker], microphones: [MicrophoneWorker], frameQueue: Int,
                      results: ResultsStore, rules: RuleEngine, stop: StopFlag) -> Result<ModelRunner, PipelineError> {
        let prefix = "model " + config.name + ": "
        let bytes: [UInt8]
        do throws(Errno) {
            bytes = try Files.read(config.file)
        } catch {
            return .failure(PipelineError([prefix + "cannot read " + config.file + ": " + error.description]))
        }
        let interpreter: Interpreter
        do throws(ModelError) {
            interpreter = try Interpreter(modelBytes: bytes, options: RuntimeSetup.options(kernelPath: kernelPath(prefix),
                                                                                           threads: config.threads))
        } catch {
            return .failure(PipelineError([prefix + config.file + ": " + error.description]))
        }
        var errors: [String] = []
        let tensors = interpreter.inputs
        if tensors.count != config.inputs.count {
            errors.append(prefix + "the model has " + String(tensors.count) + " inputs; the configuration names "
                          + String(config.inputs.count))
        }
        var images: [ImageInput] = []
        var audios: [AudioInput] = []
        for input in config.inputs where input.index < tensors.count {
            let tensor = tensors[input.index]
            if let camera = cameras.first(where: { $0.config.name == input.source }) {
                do throws(FrontendError) {
                    let geometry = try ImageTensorGeometry(shape: tensor.shape, type: tensor.type, quantization: tensor.quantization)
                    let pipeline = try ImagePipeline(geometry: geometry, region: FrontendMapping.region(config.crop),
                                                     resize: config.resize,
                                                     normalization: FrontendMapping.normalization(config.normalize))
                    images.append(ImageInput(index: input.index, source: camera.config.name, pipeline: pipeline,
                                             queue: camera.addConsumer(capacity: frameQueue), modelRate: config.rate,
                                             cameraFps: camera.config.framesPerSecond))
                } catch {
                    errors.append(prefix + "input " + String(input.index) + " (" + input.source + "): " + error.description)
                }
            } else if let microphone = microphones.first(where: { $0.config.name == input.source }) {
                let featureBytes = tensor.byteCount
                let frames = config.audioWindow ?? featureBytes / 40
                if tensor.type != .int8 || frames * 40 != featureBytes {
                    errors.append(prefix + "input " + String(input.index) + " (" + input.source + ") holds "
                                  + String(featureBytes) + " bytes; " + String(frames)
                                  + " int8 feature frames of 40 would need " + String(frames * 40))
                } else {
                    audios.append(AudioInput(index: input.index, source: microphone.config.name, frames: frames,
                                             ring: microphone.features))
                }
            } else {
                errors.append(prefix + "input " + String(input.index) + ": no camera or microphone named " + input.source)
            }
        }
        let outputs = interpreter.outputs
        let labels = config.labels ?? []
        if config.scoresOutput >= outputs.count {
            errors.append(prefix + "no output " + String(config.scoresOutput) + " for the scores")
        } else {
            let scores = outputs[config.scoresOutput]
            if scores.type != .int8 { errors.append(prefix + "the scores output is not int8") }
            if scores.elementCount != labels.count {
                errors.append(prefix + String(labels.count) + " labels for a scores output of "
                              + String(scores.elementCount) + " values")
            }
        }
        // Inline labels were checked with the configuration; a labels-file's only now.
        for label in config.audioLabels where !labels.contains(label) {
            errors.append(prefix + "audio-labels: \"" + label + "\" is not one of the model's labels")
        }
        if let a = config.attribution {
            if a.output >= outputs.count {
                errors.append(prefix + "no output " + String(a.output) + " for the attribution")
            } else if outputs[a.output].elementCount != a.names.count || outputs[a.output].type != .int8 {
                errors.append(prefix + "attribution output " + String(a.output) + " has "
                              + String(outputs[a.output].elementCount) + " values for " + String(a.names.count) + " names")
            }
        }
        if let metadata = config.metadata {
            errors += metadata.mismatches(inputs: tensors.map { $0.shape }, outputs: outputs.map { $0.shape })
                .map { prefix + $0 }
        }
        if !errors.isEmpty { return .failure(PipelineError(errors)) }
        results.setLabels(model: config.name, labels: labels)
        return .success(ModelRunner(config: config, labels: labels, interpreter: interpreter, imageInputs: images,
                                    audioInputs: audios, results: results, rules: rules, stop: stop))
    }

    /// The CPU's best path, or `PERCH_KERNEL_PATH`'s; an unusable override is logged and the
    /// detected path used (the daemon keeps running).
    static func kernelPath(_ prefix: String) -> KernelPath {
        switch RuntimeSetup.kernelPath() {
        case .success(let path): return path
        case .failure(let problem):
            Log.warning(prefix + "PERCH_KERNEL_PATH: " + problem.description + "; using "
                        + RuntimeSetup.detectedKernelPath.name)
            return RuntimeSetup.detectedKernelPath
        }
    }
}
