import PerchDaemonCore
import PerchHTTP
import PerchJSON
import PerchMedia
import PerchServer

/// POST /v1/infer?model=NAME: an uploaded image (BMP/PPM) or WAV clip replaces the model's
/// live image or audio input for one inference. The upload is decoded here (400 when it is
/// not a valid file); the inference runs on the model's thread and answers the stream.
enum InferHandler {
    static let imageTypes = ["image/bmp", "image/x-portable-pixmap", "application/octet-stream"]
    static let audioTypes = ["audio/wav", "audio/x-wav", "audio/wave"]

    static func handle(_ request: HTTPRequest, _ context: RequestContext, pipeline: Pipeline) -> HandlerResult {
        let name = HTTPQuery.value("model", in: request.head.query)
        let runner: ModelRunner
        if let name {
            guard let found = pipeline.model(named: name) else {
                return .response(.error(.notFound, "no model named '" + name + "'"))
            }
            runner = found
        } else if pipeline.models.count == 1 {
            runner = pipeline.models[0]
        } else {
            return .response(.error(.badRequest, "which model? add ?model=NAME"))
        }
        guard let type = request.head.mediaType else {
            return .response(.error(HTTPStatus(code: 415), "Content-Type is required: one of image/bmp, "
                                    + "image/x-portable-pixmap, application/octet-stream, audio/wav"))
        }
        var image: Image? = nil
        var audio: WAVAudio? = nil
        var source = "upload"
        if imageTypes.contains(type) {
            guard !runner.imageInputs.isEmpty else {
                return .response(.error(.badRequest, "model " + runner.config.name + " has no image input"))
            }
            do throws(MediaFileError) {
                image = try ImageFile.read(request.body, path: "upload")
            } catch {
                return .response(.error(.badRequest, error.description))
            }
            source = "image upload"
        } else if audioTypes.contains(type) {
            guard !runner.audioInputs.isEmpty else {
                return .response(.error(.badRequest, "model " + runner.config.name + " has no audio input"))
            }
            do throws(MediaFileError) {
                audio = try WAVFile.read(request.body, path: "upload")
            } catch {
                return .response(.error(.badRequest, error.description))
            }
            source = "audio upload"
        } else {
            return .response(.error(HTTPStatus(code: 415), "unsupported Content-Type " + type
                                    + "; use image/bmp, image/x-portable-pixmap, application/octet-stream or audio/wav"))
        }
        let stream = context.makeStream()
        let label = source
        runner.submit(InferenceJob(image: image, audio: audio, live: false) { outcome in
            let body: JSONValue
            if let e = outcome.error {
                body = .object([("error", .object([("code", .integer(503)), ("message", .string(e))]))])
            } else {
                body = StatusJSON.outcome(outcome, source: label)
            }
            var bytes = body.encoded()
            bytes.append(0x0A)
            _ = stream.send(bytes)
            stream.finish()
        })
        return .stream(stream, status: .ok, headers: HTTPHeaders([("Content-Type", "application/json")]))
    }
}
