import PerchMedia

/// Reader for `[model NAME]`.
enum ModelSection {
    /// `metadata` (the model's `metadata.json`) gives the defaults of labels, scores-output,
    /// attribution, attribution-output, normalize and audio-labels; keys in the section override it.
    static func read(_ reader: inout SectionReader, metadata: ModelMetadata? = nil) -> ModelConfig? {
        let name = reader.section.name ?? ""
        if name == GpioInputConfig.eventModel {
            reader.report(key: nil, "the model name \"gpio\" is reserved for GPIO-input events")
        }
        let file = reader.required("file", expected: "the path of a .tflite model", nonEmptyString)
        let inputs = readInputs(&reader)

        let inline = reader.list("labels")
        let labelFile = reader.string("labels-file")
        var labels: LabelSource? = nil
        if inline != nil, labelFile != nil {
            reader.report(key: "labels", "give labels or labels-file, not both")
        } else if let inline {
            if inline.isEmpty { reader.report(key: "labels", "expected at least one label") } else { labels = .inline(inline) }
        } else if let labelFile {
            labels = .file(path: labelFile)
        } else if let metadata {
            labels = .inline(metadata.labels)
        } else if reader.section.entry("labels") == nil && reader.section.entry("labels-file") == nil {
            reader.report(key: "labels", "required key missing; expected a list of labels, or labels-file = PATH"
                          + " (or a metadata.json beside the model)")
        }

        var model = ModelConfig(name: name, file: file ?? "", inputs: inputs ?? [], labelSource: labels ?? .inline([]))
        model.metadata = metadata
        if let metadata {
            model.scoresOutput = metadata.scoresOutput
            if let n = metadata.normalize { model.normalize = n }
            // Only with the file's own labels: its audio labels may not be among labels written here.
            if inline == nil && labelFile == nil { model.audioLabels = metadata.audioLabels }
        }
        if let crop = reader.value("crop", expected: "centre, full, WxH or X,Y,W,H", parseCrop) { model.crop = crop }
        if let resize = reader.choice("resize", ResizeMethod.allCases.map { ($0.rawValue, $0) }) { model.resize = resize }
        if let normalize = reader.choice("normalize", Normalization.allCases.map { ($0.rawValue, $0) }) {
            model.normalize = normalize
        }
        if let window = reader.integer("audio-window", in: 1...4096) { model.audioWindow = window }
        if let rate = reader.decimal("rate", in: 0.001...1000, expected: "inferences per second, above 0 and at most 1000") {
            model.rate = rate
        }
        if let threads = reader.integer("threads", in: 1...16) { model.threads = threads }
        if let output = reader.integer("scores-output", in: 0...63) { model.scoresOutput = output }
        if let audioLabels = reader.list("audio-labels") {
            if audioLabels.isEmpty { reader.report(key: "audio-labels", "expected at least one label") }
            if case .inline(let known) = model.labelSource {
                for label in audioLabels where !known.contains(label) {
                    reader.report(key: "audio-labels", quoted(label) + " is not one of the model's labels")
                }
            }
            model.audioLabels = audioLabels
        }
        var attributionNames = reader.list("attribution")
        var attributionOutput = reader.integer("attribution-output", in: 0...63)
        if let metadata, let output = metadata.attributionOutput, reader.section.entry("attribution") == nil {
            attributionNames = metadata.attributionNames
            if reader.section.entry("attribution-output") == nil { attributionOutput = output }
        }
        if let attributionNames {
            model.attribution = AttributionConfig(output: attributionOutput ?? 1, names: attributionNames)
            if attributionNames.isEmpty { reader.report(key: "attribution", "expected at least one name") }
            if model.attribution?.output == model.scoresOutput {
                reader.report(key: "attribution-output", "must differ from scores-output "
                              + String(model.scoresOutput))
            }
        } else if attributionOutput != nil {
            reader.report(key: "attribution-output", "only used together with attribution = NAME, ...")
        }
        reader.finish()
        guard file != nil, inputs != nil, labels != nil else { return nil }
        return model
    }

    /// `input.0 = camera`, `input.1 = microphone`: indices contiguous from 0.
    private static func readInputs(_ reader: inout SectionReader) -> [ModelInput]? {
        var inputs: [ModelInput] = []
        var valid = true
        for entry in reader.entries(withPrefix: "input.") {
            let indexText = String(entry.key.dropFirst(6))
            guard let index = Int(indexText), index >= 0, index < 16 else {
                reader.report(entry, "expected input.N with N from 0 to 15")
                valid = false
                continue
            }
            guard let source = nonEmptyString(entry.value), source.utf8.allSatisfy(isKeyByte) else {
                reader.report(entry, "expected a source name, got " + quoted(entry.value))
                valid = false
                continue
            }
            if inputs.contains(where: { $0.index == index }) {
                reader.report(entry, "input " + String(index) + " is given twice")
                valid = false
                continue
            }
            inputs.append(ModelInput(index: index, source: source))
        }
        inputs.sort { $0.index < $1.index }
        guard valid else { return nil }
        if inputs.isEmpty {
            reader.report(key: "input.0", "required key missing; expected input.0 = SOURCE (a camera or microphone)")
            return nil
        }
        for (expected, input) in inputs.enumerated() where input.index != expected {
            reader.report(key: "input." + String(input.index),
                          "inputs must be numbered from 0 without gaps; input." + String(expected) + " is missing")
            return nil
        }
        return inputs
    }
}

/// `centre` (or `center`), `full`, `96x96`, `10,20,200,150`.
func parseCrop(_ raw: String) -> CropRegion? {
    switch raw {
    case "centre", "center": return .centre
    case "full": return .full
    default: break
    }
    let size = raw.split(separator: "x", omittingEmptySubsequences: false)
    if size.count == 2, let w = Int(size[0]), let h = Int(size[1]), w > 0, h > 0 {
        return .size(width: w, height: h)
    }
    let parts = raw.split(separator: ",", omittingEmptySubsequences: false).map { Int(trimmedBlanks(String($0))) }
    if parts.count == 4, let x = parts[0], let y = parts[1], let w = parts[2], let h = parts[3],
       x >= 0, y >= 0, w > 0, h > 0 {
        return .rectangle(x: x, y: y, width: w, height: h)
    }
    return nil
}
