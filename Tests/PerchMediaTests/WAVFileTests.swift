import XCTest
import PerchMedia

final class WAVFileTests: XCTestCase {
    func testRoundTripKeepsRateChannelsAndSamples() throws {
        let audio = WAVAudio(sampleRate: 16_000, channels: 2, samples: [0, -1, 32767, -32768, 5, 6])
        let bytes = WAVFile.encode(audio)
        XCTAssertEqual(bytes.count, 44 + 12)
        XCTAssertEqual(try WAVFile.read(bytes, path: "x.wav"), audio)
        XCTAssertEqual(audio.frameCount, 3)
    }

    func testSkipsOtherChunksIncludingOddSizedOnes() throws {
        var bytes = WAVFile.encode(WAVAudio(sampleRate: 8_000, channels: 1, samples: [1, 2, 3]))
        // Insert a 3-byte LIST chunk (padded to 4) between fmt and data.
        let list: [UInt8] = Array("LIST".utf8) + [3, 0, 0, 0, 9, 9, 9, 0]
        bytes.insert(contentsOf: list, at: 36)
        bytes[4] = UInt8(bytes.count - 8)
        let audio = try WAVFile.read(bytes, path: "x.wav")
        XCTAssertEqual(audio.samples, [1, 2, 3])
        XCTAssertEqual(audio.sampleRate, 8_000)
    }

    func testEightTwentyFourAndThirtyTwoBitSamples() throws {
        // 8-bit is unsigned around 128; wider samples keep their top 16 bits.
        let eight = try WAVFile.read(wav(bits: 8, channels: 1, data: [0, 128, 255]), path: "8.wav")
        XCTAssertEqual(eight.samples, [-32768, 0, 32512])
        let twentyFour = try WAVFile.read(wav(bits: 24, channels: 2, data: [0xAA, 0x34, 0x12, 0xFF, 0x00, 0x80]),
                                          path: "24.wav")
        XCTAssertEqual(twentyFour.samples, [0x1234, -32768])
        XCTAssertEqual(twentyFour.channels, 2)
        let thirtyTwo = try WAVFile.read(wav(bits: 32, channels: 1, data: [1, 2, 0xFF, 0x7F, 9, 9, 0, 0x80]), path: "32.wav")
        XCTAssertEqual(thirtyTwo.samples, [32767, -32768])
    }

    func testExtensiblePCM() throws {
        let audio = try WAVFile.read(wav(bits: 16, channels: 1, data: [0x34, 0x12, 0xFF, 0xFF], extensibleSubformat: 1),
                                     path: "e.wav")
        XCTAssertEqual(audio.samples, [0x1234, -1])
        XCTAssertEqual(audio.sampleRate, 22_050)
        XCTAssertThrowsError(try WAVFile.read(wav(bits: 32, channels: 1, data: [0, 0, 0, 0], extensibleSubformat: 3),
                                              path: "float.wav")) {
            XCTAssertEqual($0 as? MediaFileError, .unsupported(path: "float.wav", what: "WAV format 3 (integer PCM only)"))
        }
    }

    func testCutShortDataKeepsWholeFrames() throws {
        var bytes = wav(bits: 16, channels: 2, data: [1, 0, 2, 0, 3, 0])
        bytes.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])  // a streamed file's size
        XCTAssertEqual(try WAVFile.read(bytes, path: "s.wav").samples, [1, 2])
    }

    func testRejectsWhatItCannotRead() {
        func error(_ bytes: [UInt8]) -> MediaFileError? {
            do { _ = try WAVFile.read(bytes, path: "a.wav"); return nil } catch { return error }
        }
        XCTAssertEqual(error(wav(bits: 12, channels: 1, data: [0, 0])),
                       .unsupported(path: "a.wav", what: "12-bit WAV samples (8, 16, 24 and 32 are read)"))
        XCTAssertEqual(error(Array("RIFX0000WAVE".utf8)), .unrecognized(path: "a.wav", expected: "a RIFF/WAVE file"))
        XCTAssertEqual(error([]), .unrecognized(path: "a.wav", expected: "a RIFF/WAVE file"))
        XCTAssertEqual(error(wav(bits: 16, channels: 0, data: [])),
                       .malformed(path: "a.wav", what: "WAV with no channels or no sample rate"))
        var badAlign = wav(bits: 16, channels: 1, data: [0, 0])
        badAlign[32] = 4
        XCTAssertEqual(error(badAlign), .malformed(path: "a.wav", what: "WAV block size 4 for 1 channels of 16 bits"))
        let riff = Array(wav(bits: 16, channels: 1, data: [0, 0]).prefix(12))
        XCTAssertEqual(error(riff + Array("data".utf8) + [0, 0, 0, 0]),
                       .malformed(path: "a.wav", what: "WAV data chunk before its fmt chunk"))
        XCTAssertEqual(error(riff), .malformed(path: "a.wav", what: "WAV has no data chunk"))
        XCTAssertEqual(error(riff + Array("fmt ".utf8) + [16, 0, 0, 0, 1, 0]),
                       .truncated(path: "a.wav", what: "WAV chunk runs past the end of the file"))
        XCTAssertEqual(error(wav(bits: 16, channels: 1, data: [], extensibleSubformat: 1, fmtSize: 26)),
                       .malformed(path: "a.wav", what: "WAV extensible fmt chunk of 26 bytes"))
    }

    func testErrorDescriptionNamesTheFile() {
        XCTAssertEqual(MediaFileError.unsupported(path: "/tmp/a.wav", what: "x").description, "/tmp/a.wav: unsupported: x")
        XCTAssertEqual(MediaFileError.truncated(path: "b.bmp", what: "BMP header").path, "b.bmp")
    }

    /// A WAV file written field by field, so that headers the writer never makes can be had.
    func wav(bits: Int, channels: Int, data: [UInt8], extensibleSubformat: Int? = nil, fmtSize: Int? = nil) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { u16(v) + u16(v >> 16) }
        let rate = 22_050, align = channels * bits / 8
        var fmt = u16(extensibleSubformat == nil ? 1 : 0xFFFE) + u16(channels) + u32(rate) + u32(rate * align)
            + u16(align) + u16(bits)
        if let sub = extensibleSubformat {
            // cbSize 22, valid bits, channel mask, then the GUID whose first two bytes are the tag.
            fmt += u16(22) + u16(bits) + u32(4) + u16(sub) + [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]
        }
        if let fmtSize { fmt = Array(fmt.prefix(fmtSize)) }
        let body = Array("WAVE".utf8) + Array("fmt ".utf8) + u32(fmt.count) + fmt + Array("data".utf8) + u32(data.count) + data
        return Array("RIFF".utf8) + u32(body.count) + body
    }
}
