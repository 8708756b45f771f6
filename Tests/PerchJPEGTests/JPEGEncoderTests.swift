import XCTest
import PerchJPEG
import PerchMedia
import Foundation

final class JPEGEncoderTests: XCTestCase {
    private func gradient(width: Int, height: Int) -> [UInt8] {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels += [UInt8(x * 255 / (width - 1)), UInt8(y * 255 / (height - 1)), 60] } }
        return pixels
    }

    func testEncodesAndDecodesBackToTheSameSize() throws {
        let pixels = gradient(width: 320, height: 240)
        let jpeg = try JPEGEncoder(quality: 85).encode(pixels, width: 320, height: 240, stride: 960, format: .rgb24)
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8])
        XCTAssertEqual(Array(jpeg.suffix(2)), [0xFF, 0xD9])
        XCTAssertLessThan(jpeg.count, pixels.count / 5, "a gradient compresses well")
        let decoded = try JPEGDecoder().decode(jpeg)
        XCTAssertEqual(decoded.width, 320)
        XCTAssertEqual(decoded.height, 240)
        let worst = zip(decoded.pixels, pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 16)
    }

    /// An independent decoder (djpeg from libjpeg-turbo-progs) reads what we wrote.
    func testDjpegReadsIt() throws {
        guard let djpeg = ["/usr/bin/djpeg"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("djpeg not installed (Debian libjpeg-turbo-progs)")
        }
        let jpeg = try JPEGEncoder().encode(gradient(width: 33, height: 17), width: 33, height: 17, stride: 99, format: .rgb24)
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("perch-jpeg-\(getpid()).jpg")
        try Data(jpeg).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: djpeg)
        process.arguments = ["-pnm", input.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertTrue(String(decoding: output.prefix(12), as: UTF8.self).hasPrefix("P6\n33 17\n255"))
    }

    func testGreyAndStride() throws {
        var pixels = [UInt8](repeating: 0, count: 20 * 10)
        for y in 0..<10 { for x in 0..<16 { pixels[y * 20 + x] = UInt8(100 + y) } }
        let jpeg = try JPEGEncoder().encode(pixels, width: 16, height: 10, stride: 20, format: .grey)
        let decoded = try JPEGDecoder().decode(jpeg, to: .grey)
        XCTAssertEqual(decoded.pixels.count, 160)
        XCTAssertEqual(decoded.pixels.map { Int($0) }.reduce(0, +) / 160, 104, accuracy: 2)
    }

    func testErrorsSayWhat() {
        XCTAssertThrowsError(try JPEGEncoder().encode([1, 2], width: 4, height: 4, stride: 12, format: .rgb24)) { error in
            XCTAssertEqual((error as? JPEGError)?.description, "image 4x4 with stride 12 does not fit in 2 bytes")
        }
        XCTAssertThrowsError(try JPEGEncoder().encode([UInt8](repeating: 0, count: 32), width: 4, height: 4, stride: 8, format: .yuyv))
        XCTAssertThrowsError(try JPEGDecoder().decode(Array("not a jpeg".utf8))) { error in
            XCTAssertTrue((error as? JPEGError)?.description.hasPrefix("not a decodable JPEG: ") == true)
        }
    }
}
