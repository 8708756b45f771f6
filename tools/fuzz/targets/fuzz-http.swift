// libFuzzer target: PerchHTTP's incremental request parser on arbitrary client bytes.
// The first input byte picks a chunk size; the rest is the byte stream of one connection.
// Besides "no crash", it checks a property: feeding the stream in chunks of that size gives
// the same requests and the same error as feeding it at once (a client's writes may be split
// anywhere by the socket). Each request is also read the way the server does: query, JSON
// body, keep-alive.
import PerchHTTP
import PerchJSON

// The daemon's limits (docs/api-limits.md).
let limits = HTTPRequestLimits(maxHeadBytes: 8 * 1024, maxBodyBytes: 1024 * 1024)
// Double conversion is PerchSystem's strtod in the daemon; the JSON target covers that, so a
// stand-in keeps this target to PerchHTTP and PerchJSON.
let jsonParser = JSONParser(parseDouble: { Double($0) })

/// Events worth comparing: requests and the final error (needMoreData and continueExpected
/// depend on how much has arrived, by design).
enum Outcome: Equatable {
    case request(HTTPRequest)
    case error(HTTPRequestError)
}

/// Drains every event the bytes buffered so far produce; false once the parser failed.
func drain(_ parser: inout HTTPRequestParser, into outcomes: inout [Outcome]) -> Bool {
    while true {
        switch parser.next() {
        case .request(let request):
            outcomes.append(.request(request))
        case .continueExpected:
            continue
        case .needMoreData:
            return true
        case .error(let error):
            outcomes.append(.error(error))
            // A failed parser stays failed.
            precondition(parser.next() == .error(error), "the parser did not stay failed")
            return false
        }
    }
}

func feed(_ stream: UnsafeRawBufferPointer, chunk: Int) -> [Outcome] {
    var parser = HTTPRequestParser(limits: limits)
    var outcomes: [Outcome] = []
    var offset = 0
    while offset < stream.count {
        let end = min(offset + chunk, stream.count)
        parser.append(UnsafeRawBufferPointer(rebasing: stream[offset..<end]))
        offset = end
        guard drain(&parser, into: &outcomes) else { break }
    }
    return outcomes
}

/// The query parameters the daemon's handlers read (grep HTTPQuery.value in Sources/PerchDaemon).
let queryNames = ["since", "instance", "model", "token", "seconds", "label", "camera", "overlay",
                  "fps", "microphone"]

/// What the server reads from a request after parsing it.
func inspect(_ request: HTTPRequest) {
    _ = request.head.keepAlive
    _ = request.head.mediaType
    if let query = request.head.query {
        // One lookup per name a handler reads, as the server does. (Looking up every pair's
        // own name re-parsed the query once per pair: quadratic in the harness, not in perchd,
        // and an 8 KiB query of short pairs took 0.7 s a run.)
        _ = HTTPQuery.parse(query)
        for name in queryNames { _ = HTTPQuery.value(name, in: query) }
    }
    switch request.jsonBody(jsonParser) {
    case .value(let value): _ = value.encoded()
    case .rejected(let response): _ = response
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let data, count > 0 else { return 0 }
    let chunk = Int(data[0] % 64) + 1
    let stream = UnsafeRawBufferPointer(start: data + 1, count: count - 1)
    let whole = feed(stream, chunk: max(stream.count, 1))
    let split = feed(stream, chunk: chunk)
    precondition(whole == split, "feeding in \(chunk)-byte chunks changed the outcome: \(whole) vs \(split)")
    for case .request(let request) in whole {
        precondition(request.head.path.utf8.first == UInt8(ascii: "/"), "a path that is not absolute")
        inspect(request)
    }
    return 0
}
