import XCTest
import PerchJSON
import PerchSystem

final class JSONValueTests: XCTestCase {
    let parser = JSONParser(parseDouble: PerchSystem.parseDoubleNearest)

    func parseError(_ text: String, limits: JSONLimits = JSONLimits()) -> JSONParseError? {
        do throws(JSONParseError) {
            _ = try JSONParser(limits: limits, parseDouble: PerchSystem.parseDoubleNearest).parse(text)
            return nil
        } catch {
            return error
        }
    }

    func testIntegersStayExactAndOtherNumbersAreDoubles() throws {
        XCTAssertEqual(try parser.parse("9223372036854775807"), .integer(Int64.max))
        XCTAssertEqual(try parser.parse("-9223372036854775808"), .integer(Int64.min))
        XCTAssertEqual(try parser.parse("9223372036854775808"), .double(9223372036854775808.0))
        XCTAssertEqual(try parser.parse("1.5"), .double(1.5))
        XCTAssertEqual(try parser.parse("20e1"), .double(200))
        let minusZero = try parser.parse("-0")
        XCTAssertEqual(minusZero.doubleValue?.sign, .minus)
        XCTAssertEqual(minusZero.encodedString(), "-0.0")
    }

    func testObjectsKeepKeyOrderAndBuilderFormsAgree() throws {
        let parsed = try parser.parse(#"{"z":1,"a":[true,null],"m":"x"}"#)
        XCTAssertEqual(parsed.objectValue?.keys, ["z", "a", "m"])
        let built = JSONValue.object([("z", .integer(1)), ("a", .array([.bool(true), .null])), ("m", .string("x"))])
        XCTAssertEqual(parsed, built)
        let literal: JSONValue = ["z": 1, "a": [true, nil], "m": "x"]
        XCTAssertEqual(literal, built)
        XCTAssertEqual(built.encodedString(), #"{"z":1,"a":[true,null],"m":"x"}"#)
        XCTAssertEqual(built["a"]?.arrayValue?.count, 2)
        XCTAssertNil(built["missing"])
    }

    func testWriterEscapesControlCharactersAndRoundTripsStrings() throws {
        let text = "quote\" backslash\\ nl\n tab\t nul\u{0} bell\u{7} del\u{7F} é 😀"
        let encoded = JSONValue.string(text).encodedString()
        XCTAssertEqual(encoded, #""quote\" backslash\\ nl\n tab\t nul\u0000 bell\u0007 del\u007f é 😀""#)
        XCTAssertEqual(try parser.parse(encoded), .string(text))
        XCTAssertEqual(try parser.parse(#""\ud83d\ude00\u00e9\/""#), .string("😀é/"))
    }

    func testDoublesRoundTripBitForBit() throws {
        for d in [0.1, 1.0 / 3.0, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 123.456e78, -2.5e-7, 1e16] {
            let text = JSONValue.double(d).encodedString()
            XCTAssertEqual(try parser.parse(text).doubleValue?.bitPattern, d.bitPattern, text)
        }
        XCTAssertEqual(JSONValue.double(Double.nan).encodedString(), "null")
    }

    func testErrorsNameTheOffsetAndWhatWasExpected() {
        XCTAssertEqual(parseError("[1,2"), JSONParseError(.unexpectedEnd(expected: "',' or ']'"), at: 4))
        XCTAssertEqual(parseError("[1 x]"), JSONParseError(.unexpectedByte(UInt8(ascii: "x"), expected: "',' or ']'"), at: 3))
        XCTAssertEqual(parseError("[1 x]")?.description, "at byte 3: expected ',' or ']' but found 'x' (0x78)")
        XCTAssertEqual(parseError("{\"a\" 1}")?.offset, 5)
        XCTAssertEqual(parseError("01")?.offset, 1)
        XCTAssertEqual(parseError("[1,]")?.offset, 3)
        XCTAssertEqual(parseError("\"\\ud800\"")?.kind, .invalidSurrogate)
        XCTAssertEqual(parseError("1 2"), JSONParseError(.trailingContent, at: 2))
        XCTAssertEqual(parseError("1e999")?.kind, .numberOutOfRange)
        XCTAssertEqual(parseError("\"\u{1}\"")?.offset, 1)
    }

    func testDepthAndSizeLimits() {
        let limits = JSONLimits(maxDepth: 3, maxBytes: 16)
        XCTAssertNil(parseError("[[[1]]]", limits: limits))
        XCTAssertEqual(parseError("[[[[1]]]]", limits: limits), JSONParseError(.tooDeep(limit: 3), at: 3))
        XCTAssertEqual(parseError("[\"0123456789abcdef\"]", limits: limits)?.kind, .tooLarge(limit: 16))
        // The default depth limit stops a deep text long before the stack would.
        XCTAssertEqual(parseError(String(repeating: "[", count: 100_000))?.kind, .tooDeep(limit: 64))
    }
}
