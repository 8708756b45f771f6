import XCTest
import PerchMedia

final class BMPReaderTests: XCTestCase {
    /// A 3x2 BMP: top row red, green, blue; bottom row white, black, grey. Rows padded to 4 bytes.
    func bmp(bits: Int, topDown: Bool, compression: Int = 0) -> [UInt8] {
        let width = 3, height = 2, bpp = bits / 8
        let stride = (width * bpp + 3) & ~3
        var b = [UInt8](repeating: 0, count: 54 + stride * height)
        func put32(_ v: Int, _ at: Int) { for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
        b[0] = 0x42; b[1] = 0x4D
        put32(b.count, 2); put32(54, 10); put32(40, 14); put32(width, 18)
        put32(topDown ? -height : height, 22); b[26] = 1; b[28] = UInt8(bits); put32(compression, 30)
        for (y, row) in rows.enumerated() {
            let stored = topDown ? y : height - 1 - y
            for (x, p) in row.enumerated() {
                let at = 54 + stored * stride + x * bpp  // stored B, G, R(, A)
                b[at] = p.2; b[at + 1] = p.1; b[at + 2] = p.0
                if bpp == 4 { b[at + 3] = 255 }
            }
        }
        return b
    }

    let rows: [[(UInt8, UInt8, UInt8)]] = [[(255, 0, 0), (0, 255, 0), (0, 0, 255)],
                                           [(255, 255, 255), (0, 0, 0), (128, 128, 128)]]
    let expected: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128]

    func testBottomUpTopDownAnd32Bit() throws {
        for (bits, topDown, compression) in [(24, false, 0), (24, true, 0), (32, false, 0), (32, true, 3)] {
            let image = try ImageFile.read(bmp(bits: bits, topDown: topDown, compression: compression), path: "t.bmp")
            XCTAssertEqual(image.width, 3)
            XCTAssertEqual(image.height, 2)
            XCTAssertEqual(image.format, .rgb24)
            XCTAssertEqual(image.pixels, expected, "bits \(bits) topDown \(topDown)")
        }
    }

    func testHandWrittenRowsWithPadding() throws {
        // 24-bit bottom-up BMP, 3x2, rows padded to 12 bytes.
        var bmp: [UInt8] = [0x42, 0x4D] + le32(54 + 24) + [0, 0, 0, 0] + le32(54)
        bmp += le32(40) + le32(3) + le32(2) + [1, 0, 24, 0] + le32(0) + le32(24) + le32(0) + le32(0) + le32(0) + le32(0)
        bmp += [3, 2, 1, 6, 5, 4, 9, 8, 7, 0, 0, 0]   // bottom row: (1,2,3) (4,5,6) (7,8,9) as B,G,R
        bmp += [12, 11, 10, 15, 14, 13, 18, 17, 16, 0, 0, 0]
        let image = try ImageFile.read(bmp, path: "h.bmp")
        XCTAssertEqual(image.format, .rgb24)
        XCTAssertEqual(image.pixels, [10, 11, 12, 13, 14, 15, 16, 17, 18, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    /// 8-bit, 2x2, with a palette of `colours` (B, G, R, 0 entries).
    func paletted(_ colours: [[UInt8]], indices: [UInt8]) -> [UInt8] {
        let offset = 54 + 4 * colours.count
        var b: [UInt8] = [0x42, 0x4D] + le32(offset + 8) + [0, 0, 0, 0] + le32(offset)
        b += le32(40) + le32(2) + le32(-2) + [1, 0, 8, 0] + le32(0) + le32(8) + le32(0) + le32(0) + le32(colours.count) + le32(0)
        for c in colours { b += c + [0] }
        b += [indices[0], indices[1], 0, 0, indices[2], indices[3], 0, 0]
        return b
    }

    func testEightBitGreyAndColourPalettes() throws {
        let grey = try ImageFile.read(paletted([[0, 0, 0], [90, 90, 90], [255, 255, 255]], indices: [0, 1, 2, 1]), path: "g.bmp")
        XCTAssertEqual(grey.format, .grey)
        XCTAssertEqual(grey.pixels, [0, 90, 255, 90])
        let colour = try ImageFile.read(paletted([[255, 0, 0], [0, 0, 255]], indices: [0, 1, 1, 0]), path: "c.bmp")
        XCTAssertEqual(colour.format, .rgb24)
        XCTAssertEqual(colour.pixels, [0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 255])
    }

    func testRejectsWhatItCannotRead() {
        func error(_ bytes: [UInt8]) -> MediaFileError? {
            do { _ = try ImageFile.read(bytes, path: "t.bmp"); return nil } catch { return error }
        }
        XCTAssertEqual(error(Array(bmp(bits: 24, topDown: false).prefix(60))), .truncated(path: "t.bmp", what: "BMP pixel data"))
        XCTAssertEqual(error(Array(bmp(bits: 24, topDown: false).prefix(40))), .truncated(path: "t.bmp", what: "BMP header"))
        XCTAssertEqual(error(bmp(bits: 24, topDown: false, compression: 1)),
                       .unsupported(path: "t.bmp", what: "compressed BMP (method 1)"))
        var sixteen = bmp(bits: 24, topDown: false)
        sixteen[28] = 16
        XCTAssertEqual(error(sixteen), .unsupported(path: "t.bmp", what: "16-bit BMP (8, 24 and 32 are read)"))
        var overlapping = bmp(bits: 24, topDown: false)
        overlapping[10] = 20
        XCTAssertEqual(error(overlapping), .malformed(path: "t.bmp", what: "BMP pixel data overlaps its header"))
        var huge = bmp(bits: 24, topDown: false)
        huge[20] = 1  // width 65539
        XCTAssertEqual(error(huge), .malformed(path: "t.bmp", what: "BMP size 65539x2"))
        XCTAssertEqual(error(paletted([[1, 2, 3]], indices: [0, 0, 0, 0]).enumerated().map { $0.offset == 46 ? 9 : $0.element }),
                       .malformed(path: "t.bmp", what: "BMP palette of 9 colours"))
        XCTAssertEqual(error(Array("GIF89a".utf8)),
                       .unrecognized(path: "t.bmp", expected: "a BMP, binary PGM (P5) or binary PPM (P6) image"))
        XCTAssertEqual(error([1, 2, 3]), .unrecognized(path: "t.bmp", expected: "a BMP, binary PGM (P5) or binary PPM (P6) image"))
    }

    func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}

final class PNMReaderTests: XCTestCase {
    func testPPMWithCommentAndPGM() throws {
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128]
        let ppm = try ImageFile.read(Array("P6\n# made by hand\n3 2\n255\n".utf8) + rgb, path: "t.ppm")
        XCTAssertEqual(ppm.width, 3); XCTAssertEqual(ppm.height, 2); XCTAssertEqual(ppm.format, .rgb24)
        XCTAssertEqual(ppm.pixels, rgb)
        let pgm = try ImageFile.read(Array("P5 2 1 255\n".utf8) + [10, 200], path: "t.pgm")
        XCTAssertEqual(pgm.format, .grey)
        XCTAssertEqual(pgm.pixels, [10, 200])
    }

    func testSmallMaxvalIsScaledWithRounding() throws {
        let pgm = Array("P5 2 2 15 ".utf8) + [0, 15, 5, 10]
        XCTAssertEqual(try ImageFile.read(pgm, path: "t.pgm").pixels, [0, 255, 85, 170])
        XCTAssertEqual(try ImageFile.read(Array("P5 1 1 3\n".utf8) + [1], path: "t.pgm").pixels, [85])
        XCTAssertEqual(try ImageFile.read(Array("P5 1 1 7\n".utf8) + [3], path: "t.pgm").pixels, [109])
    }

    func testRejectsWhatItCannotRead() {
        func error(_ text: String, _ samples: [UInt8] = []) -> MediaFileError? {
            do { _ = try ImageFile.read(Array(text.utf8) + samples, path: "t.ppm"); return nil } catch { return error }
        }
        XCTAssertEqual(error("P6\n3 2\n255\n", [1, 2]), .truncated(path: "t.ppm", what: "PNM pixel data"))
        XCTAssertEqual(error("P6\n3 2"), .truncated(path: "t.ppm", what: "PNM header"))
        XCTAssertEqual(error("P6 3 x 255\n"), .malformed(path: "t.ppm", what: "PNM header"))
        XCTAssertEqual(error("P63 2 255\n"), .malformed(path: "t.ppm", what: "PNM header (no space before a number)"))
        XCTAssertEqual(error("P5 1 1 255", [7]), .malformed(path: "t.ppm", what: "PNM header end"))
        XCTAssertEqual(error("P5 1 1 65535\n", [0, 0]), .unsupported(path: "t.ppm", what: "PNM maxval 65535 (8-bit samples only)"))
        XCTAssertEqual(error("P5 1 1 0\n", [0]), .unsupported(path: "t.ppm", what: "PNM maxval 0 (8-bit samples only)"))
        XCTAssertEqual(error("P5 0 1 255\n"), .malformed(path: "t.ppm", what: "PNM size 0x1"))
        XCTAssertEqual(error("P5 20000 1 255\n"), .malformed(path: "t.ppm", what: "PNM size 20000x1"))
        XCTAssertEqual(error("P5 1234567 1 255\n"), .malformed(path: "t.ppm", what: "PNM header number too long"))
        XCTAssertEqual(error("P5 1 1 15\n", [16]), .malformed(path: "t.ppm", what: "PNM sample 16 above maxval 15"))
    }
}
