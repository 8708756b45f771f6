import PerchJSON

/// A request body read as JSON, or the error response to send instead.
public enum JSONRequestBody {
    case value(JSONValue)
    case rejected(HTTPResponse)
}

extension HTTPRequest {
    /// The body parsed as JSON. A Content-Type other than application/json gives 415; a
    /// malformed body gives 400 with the parser's message (byte offset and expectation).
    public func jsonBody(_ parser: JSONParser) -> JSONRequestBody {
        guard head.mediaType == "application/json" else {
            return .rejected(.error(.unsupportedMediaType, "the request body must be application/json"))
        }
        do throws(JSONParseError) {
            return .value(try parser.parse(body))
        } catch {
            return .rejected(.error(.badRequest, "invalid JSON body: " + error.description))
        }
    }
}
