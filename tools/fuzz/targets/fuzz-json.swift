// libFuzzer target: PerchJSON's parser on arbitrary bytes (request bodies, uploads' metadata).
// Besides "no crash", it checks a property: whatever parses is written back by the compact
// writer, and that text parses to the same value (the server's replies rely on it).
import PerchJSON
import PerchSystem

// The daemon's converter (strtod_l in the C locale), as in perchd and perch.
let parser = JSONParser(limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 20), parseDouble: parseDoubleNearest)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: data == nil ? 0 : count)
    let value: JSONValue
    do throws(JSONParseError) {
        value = try parser.parse(bytes)
    } catch {
        // A rejected text must name a position inside (or just past) the input.
        precondition(error.offset >= 0 && error.offset <= count,
                     "error offset \(error.offset) outside the input of \(count) bytes")
        _ = error.description
        return 0
    }
    let written = value.encoded()
    let reparsed: JSONValue
    do throws(JSONParseError) {
        reparsed = try parser.parse(written)
    } catch {
        fatalError("round trip: the writer's output does not parse: \(error.description)\n"
                   + String(decoding: written, as: UTF8.self))
    }
    precondition(reparsed == value, "round trip changed the value:\n" + String(decoding: written, as: UTF8.self))
    // Writing is deterministic: the same value gives the same text.
    precondition(reparsed.encoded() == written, "writer is not stable")
    return 0
}
