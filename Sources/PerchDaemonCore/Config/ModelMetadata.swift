import PerchJSON
import PerchSystem

/// `metadata.json` beside a model file: what the model says about itself, the defaults of its
/// `[model]` section (labels, output indices, attribution names, input normalization) and the
/// tensor shapes the loaded model must match.
public struct ModelMetadata: Equatable, Sendable {
    /// The metadata file, as found (for messages).
    public var path: String
    public var labels: [String]
    /// `labels_output_index`.
    public var scoresOutput: Int
    /// `attribution_output_index`, when the model has one.
    public var attributionOutput: Int?
    /// `attribution_names`, or one name per input from its kind ("image" with width/height,
    /// "audio" with frames/features), in input order.
    public var attributionNames: [String]?
    /// The first image input's `normalize` (or the leading word of its `normalization`).
    public var normalize: Normalization?
    /// The labels `label_modalities` marks `"audio"`, in label order: the default of
    /// `audio-labels` (they stay live while the camera's frame is stale). Empty without it.
    public var audioLabels: [String] = []
    /// `inputs[i].shape` and `outputs[i].shape`, by tensor index.
    public var inputShapes: [[Int]]
    public var outputShapes: [[Int]]

    /// `models/perch-av/model.tflite` → `models/perch-av/metadata.json`.
    public static func path(forModel file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "metadata.json" }
        return String(file[...slash]) + "metadata.json"
    }

    /// Where this file disagrees with the model's tensor shapes: `PATH: outputs[1].shape is
    /// [1, 11]; the model's output 1 is [1, 12]`.
    public func mismatches(inputs: [[Int]], outputs: [[Int]]) -> [String] {
        var errors: [String] = []
        for (field, described, actual) in [("inputs", inputShapes, inputs), ("outputs", outputShapes, outputs)] {
            let kind = field == "inputs" ? "input" : "output"
            if described.count != actual.count {
                errors.append(path + ": " + field + " lists " + String(described.count) + "; the model has " + String(actual.count))
                continue
            }
            for i in 0..<actual.count where described[i] != actual[i] {
                errors.append(path + ": " + field + "[" + String(i) + "].shape is " + shapeText(described[i])
                              + "; the model's " + kind + " " + String(i) + " is " + shapeText(actual[i]))
            }
        }
        return errors
    }

    /// Parses the file's bytes; a problem is a message naming the file and the field.
    public static func parse(_ bytes: [UInt8], path: String) -> Result<ModelMetadata, MetadataError> {
        let root: JSONValue
        do throws(JSONParseError) {
            root = try JSONParser(parseDouble: parseDoubleNearest).parse(bytes)
        } catch {
            return .failure(MetadataError(path: path, field: nil, message: "not JSON: " + error.description))
        }
        guard case .object(let object) = root else {
            return .failure(MetadataError(path: path, field: nil, message: "expected a JSON object"))
        }
        var reader = MetadataReader(path: path, object: object)
        return reader.read()
    }
}

/// A metadata file that cannot be used: `models/x/metadata.json: labels_output_index: expected …`.
public struct MetadataError: Error, Equatable, Sendable {
    public var path: String
    public var field: String?
    public var message: String

    public var description: String { path + ": " + (field.map { $0 + ": " } ?? "") + message }
}

/// One field's problem, before the reader names the file and field.
struct MetadataFieldError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Field-by-field reading; the first problem ends it.
private struct MetadataReader {
    let path: String
    let object: JSONObject

    func fail(_ field: String, _ message: String) -> Result<ModelMetadata, MetadataError> {
        .failure(MetadataError(path: path, field: field, message: message))
    }

    func fail(_ field: String, _ error: MetadataFieldError) -> Result<ModelMetadata, MetadataError> {
        fail(field, error.message)
    }

    mutating func read() -> Result<ModelMetadata, MetadataError> {
        guard case .array(let labelValues)? = object["labels"] else { return fail("labels", "expected a list of label names") }
        var labels: [String] = []
        for value in labelValues {
            guard case .string(let label) = value, !label.isEmpty else {
                return fail("labels", "expected non-empty strings")
            }
            labels.append(label)
        }
        if labels.isEmpty { return fail("labels", "expected at least one label") }
        guard let inputs = tensors("inputs") else { return fail("inputs", "expected a list of {\"index\", \"shape\"} objects") }
        guard let outputs = tensors("outputs") else { return fail("outputs", "expected a list of {\"index\", \"shape\"} objects") }
        guard let scores = index("labels_output_index"), scores < outputs.shapes.count else {
            return fail("labels_output_index", "expected the index of one of the " + String(outputs.shapes.count) + " outputs")
        }
        if elementCount(outputs.shapes[scores]) != labels.count {
            return fail("labels", String(labels.count) + " labels for outputs[" + String(scores) + "] of shape "
                        + shapeText(outputs.shapes[scores]))
        }
        var attribution: Int? = nil
        if object["attribution_output_index"] != nil, object["attribution_output_index"] != .null {
            guard let a = index("attribution_output_index"), a < outputs.shapes.count, a != scores else {
                return fail("attribution_output_index",
                            "expected the index of one of the " + String(outputs.shapes.count) + " outputs, not labels_output_index")
            }
            attribution = a
        }
        var names: [String]? = nil
        if let a = attribution {
            if case .array(let values)? = object["attribution_names"] {
                var list: [String] = []
                for case .string(let name) in values where !name.isEmpty { list.append(name) }
                if list.count != values.count || list.isEmpty { return fail("attribution_names", "expected a list of names") }
                names = list
            } else {
                names = inputs.kinds.contains(nil) ? nil : inputs.kinds.compactMap { $0 }
            }
            if let n = names, n.count != elementCount(outputs.shapes[a]) {
                return fail("attribution_names", String(n.count) + " names for outputs[" + String(a) + "] of shape "
                            + shapeText(outputs.shapes[a]))
            }
        }
        var audioLabels: [String] = []
        if let modalities = object["label_modalities"], modalities != .null {
            switch modalityLabels(modalities, labels: labels) {
            case .success(let audio): audioLabels = audio
            case .failure(let message): return fail("label_modalities", message)
            }
        }
        return .success(ModelMetadata(path: path, labels: labels, scoresOutput: scores, attributionOutput: attribution,
                                      attributionNames: names, normalize: inputs.normalize, audioLabels: audioLabels,
                                      inputShapes: inputs.shapes, outputShapes: outputs.shapes))
    }

    /// `{"speech": "audio", "person": "image", "visitor": "fused", …}`: one entry per label, and
    /// only those three words; the audio ones in label order.
    func modalityLabels(_ value: JSONValue, labels: [String]) -> Result<[String], MetadataFieldError> {
        guard case .object(let modalities) = value else {
            return .failure(MetadataFieldError("expected an object of label: \"audio\", \"image\" or \"fused\""))
        }
        var audio: [String] = []
        for label in labels {
            switch modalities[label] {
            case .string("audio")?: audio.append(label)
            case .string("image")?, .string("fused")?: break
            case nil: return .failure(MetadataFieldError("no entry for label \"" + label + "\""))
            default: return .failure(MetadataFieldError("\"" + label + "\": expected \"audio\", \"image\" or \"fused\""))
            }
        }
        for key in modalities.keys where !labels.contains(key) {
            return .failure(MetadataFieldError("\"" + key + "\" is not one of the labels"))
        }
        return .success(audio)
    }

    func index(_ key: String) -> Int? {
        guard case .integer(let value)? = object[key], value >= 0, value < 64 else { return nil }
        return Int(value)
    }

    /// Shapes by `index` (contiguous from 0), each input's kind, the image input's normalization.
    func tensors(_ key: String) -> (shapes: [[Int]], kinds: [String?], normalize: Normalization?)? {
        guard case .array(let list)? = object[key], !list.isEmpty, list.count <= 64 else { return nil }
        var shapes = [[Int]](repeating: [], count: list.count)
        var kinds = [String?](repeating: nil, count: list.count)
        var normalize: Normalization? = nil
        for entry in list {
            guard case .object(let tensor) = entry, case .integer(let i64)? = tensor["index"], i64 >= 0,
                  i64 < Int64(list.count), shapes[Int(i64)].isEmpty,
                  case .array(let dims)? = tensor["shape"], !dims.isEmpty else { return nil }
            var shape: [Int] = []
            for case .integer(let d) in dims where d > 0 && d < 1 << 24 { shape.append(Int(d)) }
            if shape.count != dims.count { return nil }
            let i = Int(i64)
            shapes[i] = shape
            if tensor["width"] != nil && tensor["height"] != nil {
                kinds[i] = "image"
                if normalize == nil { normalize = normalization(tensor) }
            } else if tensor["frames"] != nil || tensor["features"] != nil {
                kinds[i] = "audio"
            }
        }
        return (shapes, kinds, normalize)
    }

    /// `"normalize": "unit"`, or the first word of `"normalization": "unit: pixel/255 …"`.
    func normalization(_ tensor: JSONObject) -> Normalization? {
        for key in ["normalize", "normalization"] {
            guard case .string(let text)? = tensor[key] else { continue }
            var word = ""
            for c in text { if c == ":" || c == " " { break }; word.append(c) }
            if let n = Normalization(rawValue: word) { return n }
        }
        return nil
    }
}

func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

/// `[1, 11]`
public func shapeText(_ shape: [Int]) -> String {
    "[" + joinedList(shape.map { String($0) }) + "]"
}
