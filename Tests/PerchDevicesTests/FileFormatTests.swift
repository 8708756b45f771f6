import XCTest
@testable import PerchDevices

final class WavFileTests: XCTestCase {
    func testRoundTripKeepsFormatAndSamples() throws {
        let audio = WavAudio(format: AudioFormat(sampleRate: 16_000, channels: 2), samples: [0, -1, 32767, -32768, 5, 6])
        let bytes = WavFile.encode(audio)
        XCTAssertEqual(bytes.count, 44 + 12)
        XCTAssertEqual(try WavFile.decode(bytes, path: "x.wav"), audio)
    }

    func testSkipsOtherChunksIncludingOddSizedOnes() throws {
        var bytes = WavFile.encode(WavAudio(format: AudioFormat(sampleRate: 8_000, channels: 1), samples: [1, 2, 3]))
        // Insert a 3-byte LIST chunk (padded to 4) between fmt and data.
        let list: [UInt8] = Array("LIST".utf8) + [3, 0, 0, 0, 9, 9, 9, 0]
        bytes.insert(contentsOf: list, at: 36)
        bytes[4] = UInt8(bytes.count - 8)
        let audio = try WavFile.decode(bytes, path: "x.wav")
        XCTAssertEqual(audio.samples, [1, 2, 3])
        XCTAssertEqual(audio.format.sampleRate, 8_000)
    }

    func testRejectsWhatItCannotPlay() {
        var eightBit = WavFile.encode(WavAudio(format: AudioFormat(sampleRate: 8_000, channels: 1), samples: [1]))
        eightBit[34] = 8
        XCTAssertThrowsError(try WavFile.decode(eightBit, path: "a.wav")) { error in
            XCTAssertEqual(error as? DeviceError, .badFile(path: "a.wav", "8-bit WAV is not supported (16 only)"))
        }
        XCTAssertThrowsError(try WavFile.decode(Array("RIFX0000WAVE".utf8), path: "b.wav"))
        XCTAssertThrowsError(try WavFile.decode([], path: "c.wav"))
    }
}

final class ImageFileReaderTests: XCTestCase {
    /// A 24-bit BMP, 3x2, rows padded to 12 bytes.
    func bmp(bits: Int, topDown: Bool) -> [UInt8] {
        let width = 3, height = 2, bpp = bits / 8
        let stride = (width * bpp + 3) & ~3
        var b = [UInt8](repeating: 0, count: 54 + stride * height)
        func put32(_ v: Int, _ at: Int) { for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
        b[0] = 0x42; b[1] = 0x4D
        put32(b.count, 2); put32(54, 10); put32(40, 14); put32(width, 18)
        put32(topDown ? -height : height, 22); b[26] = 1; b[28] = UInt8(bits)
        // Top row red, green, blue; bottom row white, black, grey. Stored as BGR(A).
        let rows: [[(UInt8, UInt8, UInt8)]] = [[(255, 0, 0), (0, 255, 0), (0, 0, 255)],
                                               [(255, 255, 255), (0, 0, 0), (128, 128, 128)]]
        for (y, row) in rows.enumerated() {
            let stored = topDown ? y : height - 1 - y
            for (x, p) in row.enumerated() {
                let at = 54 + stored * stride + x * bpp
                b[at] = p.2; b[at + 1] = p.1; b[at + 2] = p.0
                if bpp == 4 { b[at + 3] = 255 }
            }
        }
        return b
    }

    let expected: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128]

    func testBMPBottomUpTopDownAnd32Bit() throws {
        for (bits, topDown) in [(24, false), (24, true), (32, false)] {
            let image = try ImageFileReader.decode(bmp(bits: bits, topDown: topDown), path: "t.bmp")
            XCTAssertEqual(image.width, 3)
            XCTAssertEqual(image.height, 2)
            XCTAssertEqual(image.pixels, expected, "bits \(bits) topDown \(topDown)")
        }
    }

    func testPPMWithCommentAndPGM() throws {
        let ppm = Array("P6\n# made by hand\n3 2\n255\n".utf8) + expected
        XCTAssertEqual(try ImageFileReader.decode(ppm, path: "t.ppm").pixels, expected)
        let pgm = Array("P5 2 1 255\n".utf8) + [10, 200]
        XCTAssertEqual(try ImageFileReader.decode(pgm, path: "t.pgm").pixels, [10, 10, 10, 200, 200, 200])
    }

    func testRejectsTruncatedAndUnknownFiles() {
        XCTAssertThrowsError(try ImageFileReader.decode(Array(bmp(bits: 24, topDown: false).prefix(60)), path: "t.bmp"))
        XCTAssertThrowsError(try ImageFileReader.decode(Array("P6\n3 2\n255\n".utf8) + [1, 2], path: "t.ppm"))
        XCTAssertThrowsError(try ImageFileReader.decode(Array("GIF89a".utf8), path: "t.gif")) { error in
            XCTAssertEqual(error as? DeviceError, .badFile(path: "t.gif", "not a BMP or binary PPM/PGM file"))
        }
    }
}
