import Foundation
import XCTest
@testable import PerchRuntime

/// Inputs found by the libFuzzer model target (tools/fuzz, `fuzz-model`), kept as
/// regression tests: each loads, prepares and runs as the fuzz target does.
final class FuzzRegressionTests: XCTestCase {
    /// A DEPTHWISE_CONV_2D whose SAME padding, from a huge dilation, made prepare allocate
    /// and fill a 2.4 GB zero-point-padded copy of a tiny input (libFuzzer: out-of-memory).
    /// Prepare must now stay small: the peak RSS may not grow by more than 256 MiB.
    func testDepthwisePaddingOutOfProportionToTheImage() throws {
        let bytes = try decode([
        "HAAAAFRGTDMUACAAHAAYABQAEAAMAAAACAAEABQAAAAcAAAAkAAAAOgAAADUAQAA5AEAAGgEAAADAAAAAQAAABAAAAAAAAoA",
        "EAAMAAgABAAKAAAADAAAABwAAAA8AAAADwAAAHNlcnZpbmdfZGVmYXVsdAABAAAABAAAAJj///8DAAAABAAAAAgAAABvdXRw",
        "dXRfMAAAAAABAAAABAAAAMb+//8EAAAABwAAAGlucHV0XzAAAgAAADQAAAAEAAAA3P///wYAAAAEAAAAEwAAAENPTlZFUlNJ",
        "T05fTUVUQURBVEEACAAMAAgABAAIAAAABQAAAAQAAAATAAAAbWluX3J1bnRpbWVfdmVyc2lvbgAHAAAA6AAAANwAAADEAAAA",
        "nAAAAJQAAAB0AAAABAAAAFb///8EAAAAYAAAAAwAAAAIAA4ACAAEAAgAAAAQAAAAKAAAAAAABgAIAAQABgAAAAQAAAABAAAA",
        "6wMAAAwAGAAUABAADAAEAAwAAAAK86dcIxUleQMAAAACAAAABAAAAAYAAAAyLjIxLjAAAML///8EAAAAEAAAADEuMTQuMAAA",
        "AAAAAAAAAADA////4v///wQAAAASAAAALYHL5AhK+MXlYn5F7TBpO1NmBgAIAAQABgAAAAQAAAAIAAAAJggAAFgDAAD8////",
        "BAAEAAQAAAAPAAAATUxJUiBDb252ZXJ0ZWQuAAEAAAAUAAAAAAAOABgAFAAQAAwACAAEAA4AAAAUAAAAHAAAAIgAAACMAAAA",
        "kAAAAAQAAABtYWluAAAAAAEAAAAUAAAAAAAOABYAAAAQAAwACwAEAA4AAAAkAAAAAAAAAjQAAAA4AAAAAAASABgAAAAUABAA",
        "DAAAAAgABAASAAAAAgAAAAIAAAMBAAAAAQAAAAEAAAABAAAAAwAAAAMAAAAAAAAAAgAAAAEAAAABAAAAAwAAAAEAAAAAAAAA",
        "BAAAAEwBAADUAAAAcAAAAAQAAADa/v//AAAAARQAAAAwAAAABAAAAAAAAAk8AAAAxP7//wgAAAAQAAAAAQAAACEAAAAAAAAA",
        "AQAAANE+Cj0RAAAAUGFydGl0aW9uZWRDYWxsOjAAAAAEAAAAAQAAAAgAAAAIAAAAAgAAAEL///8AAAABFAAAADAAAAADAAAA",
        "AAAACTQAAAAs////CAAAABAAAAABAAAAAAAAAAAAAAABAAAAncN9OwkAAABkZXB0aHdpc2UAAAAEAAAAAQAAAAMAAAADAAAA",
        "AgAAAKL///8AAAABFAAAADAAAAACAAAAAAAAAjwAAACM////CAAAABAAAAABAAAAAAAAAAAAAAABAAAAouiIOBMAAABhZGQ7",
        "ZGVwdGh3aXNlO0NvbnN0AAEAAAACAAAAAAAWABwAGAAXABAADAAIAAAAAAAAAAcAFgAAAAAAAAEgAAAAPAAAAAEAAAAAAAAJ",
        "UAAAAAwADAAAAAAACAAEAAwAAAAIAAAAEAAAAAEAAABtAAAAAAAAAAEAAABxHYo8GQAAAHNlcnZpbmdfZGVmYXVsdF9pbnB1",
        "dF8wOjAAAAAEAAAAAQAAAAgAAAAIAAAAAgAAAAEAAAAQAAAADAAQAA8AAAAIAAQADAAAAAQAAAADAAAAAAAABA==",
        ])
        let grown = try peakGrowth { try runLikeTheFuzzTarget(bytes) }
        XCTAssertLessThan(grown, 256 << 20, "preparing the model raised the peak RSS by \(grown >> 20) MiB")
    }

    /// A CONCATENATION whose output scale is subnormal: 1/scale is infinite, and the
    /// requantization table's Int32(NaN) trapped at prepare (libFuzzer: deadly signal).
    /// Prepare must throw a ModelError naming the ratio instead.
    func testConcatenationWithAnInfiniteScaleRatio() throws {
        let bytes = try decode([
            "IAAAAFRGTDMAAAAAFAAgABwAGAAUABAADAAAAAgABAAUAAAAHAAAAKwAAAAEAQAAuAEAAMgBAADcAwAAAwAAAAEAAAAQAAAA",
            "AAAKABAADAAIAAQACgAAAAwAAAAcAAAAPAAAAA8AAABzZXJ2aW5nX2RlZmF1bHQAAQAAAAQAAAB8////AgAAAAQAAAAIAAAA",
            "b3V0cHV0XzAAAAAAAgAAABwAAAAEAAAAQv7//wQAAAAHAAAAaW5wdXRfMQC4////AQAAAAQAAAAHAAAAaW5wdXRfMAACAAAA",
            "NAAAAAQAAADc////BQAAAAQAAAATAAAAQ09OVkVSU0lPTl9NRVRBREFUQQAIAAwACAAEAAgAAAAEAAAABAAAABMAAABtaW5f",
            "cnVudGltZV92ZXJzaW9uAAYAAACwAAAApAAAAJwAAACUAAAAdAAAAAQAAADm/v//BAAAAGAAAAAMAAAACAAOAAgABAAIAAAA",
            "EAAAACgAAAAAAAYACAAEAAYAAAAEAAAAAQAAAOsDAAAMABgAAAwQABQABAAMAAAAj5AF3T9xAKcDAAAAAgAAAAQAAAAGAAAA",
            "Mi4yMS4wAABS////BAAAABAAAAAxLjE0LjAAAAAAAAAAAAAA9P////j////8////BAAEAAQAAAAPAAAATUxJUiBDb252ZXJ0",
            "ZWQuAAEAAAAUAAAAAAAOABgAFAAQAAwACAAEAA4AAAAUAAAAHAAAAGgAAABsAAAAdAAAAAQAAABtYWluAAAAAAEAAAAUAAAA",
            "AAAOABYAAAAQAAwACwAEAA4AAAAYAAAAAAAAChgAAAAcAAAAAAAGAAgABAAGAAAAAQAAAAEAAAACAAAAAgAAAAEAAAAAAAAA",
            "AQAAAAIAAAACAAAAAAAAAAEAAAADAAAA+AAAAHAAAAAEAAAAKv///wAAAAEUAAAANAAAAAMAAAAAAAAJQAAAABT///8IAAAA",
            "FAAAAAEAAAALAAAAAAAAAAAAAAABAAAAf4AAABEAAABQYXJ0aXRpb25lZENhbGw6MAAAAAMAAAABAAAABQAAAAQAAACS////",
            "AAAAARQAAAAwAAAAAgAAAAAAAAlEAAAAfP///wgAAAAQAAAAAQAAAAsAAAAAAAAAAQAAAOI7MD0ZAAAAc2VydmluZ19kZWZh",
            "dWx0X2lucHV0XzA6MAAAAAMAAAABAAAAAwAAAAQAAAAAABYAHAAYABcAEAAMAAgAAAAAAAAABwAWAAAAAAAAASAAAABAAAAA",
            "AQAAAAAAAAhUAAAADAAMAAAAAAAIAAQADAAAAAgAAAAUAAAAAQAAAAsAAAAAAAAAAAAAAAEAAADiOzA9GQAAAHNlcnZpbmdf",
            "ZGVmYXVsdF9pbnB1dF8xOjAAAAADAAAAAQAAAAIAAAAEAAAAAQAAABAAAAAMABAADwAAAAgABAAMAAAAAgAAAAIAAAAAAAAC",
        ])
        XCTAssertThrowsError(try runLikeTheFuzzTarget(bytes)) { error in
            let message = (error as? ModelError)?.description ?? ""
            XCTAssertTrue(message.contains("not a finite ratio"), message)
        }
    }

    /// Loads, prepares and invokes like tools/fuzz/targets/fuzz-model.swift (2 MiB arena).
    private func runLikeTheFuzzTarget(_ bytes: [UInt8]) throws {
        let model = try LoadedModel(modelBytes: bytes, arenaLimit: 2 << 20)
        let interpreter = try Interpreter(model: model, options: RuntimeOptions(kernelPath: .widening))
        for i in 0..<interpreter.inputs.count {
            let input = interpreter.input(i)
            for j in 0..<input.count { input[j] = bytes[(j &* 7 &+ i) % bytes.count] }
        }
        interpreter.invoke()
    }

    private func decode(_ lines: [String]) throws -> [UInt8] {
        [UInt8](try XCTUnwrap(Data(base64Encoded: lines.joined())))
    }

    /// Growth of the process's peak resident set while `body` runs, in bytes.
    private func peakGrowth(_ body: () throws -> Void) rethrows -> Int {
        func peak() -> Int {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return usage.ru_maxrss * 1024
        }
        let before = peak()
        try body()
        return peak() - before
    }
}
