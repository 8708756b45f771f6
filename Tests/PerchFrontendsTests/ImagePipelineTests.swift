import XCTest
@testable import PerchFrontends
import PerchMedia

final class ImagePipelineTests: XCTestCase {
    static let personGeometry = ImageTensorGeometry(width: 96, height: 96, channels: 1, type: .int8,
                                                    scale: 0.007843137718737125, zeroPoint: -1)

    /// TFLM's person.bmp/no_person.bmp hold int8 model input bytes dumped from a device
    /// (raw_to_bitmap.py): brightness with the top bit flipped. The real picture is bytes ^ 0x80.
    static func truePicture(_ bmp: Image) -> Image {
        Image(width: bmp.width, height: bmp.height, format: bmp.format, pixels: bmp.pixels.map { $0 ^ 0x80 })
    }

    /// A 96x96 grey picture scaled 2x (each pixel a 2x2 block) into the middle of a 320x240
    /// RGB frame on a mid-grey background.
    static func personFrame(_ image: Image) -> Image {
        var frame = [UInt8](repeating: 90, count: 320 * 240 * 3)
        for y in 0..<192 {
            for x in 0..<192 {
                let p = image.pixels[(y / 2) * 96 + x / 2]
                let o = ((y + 24) * 320 + (x + 64)) * 3
                frame[o] = p; frame[o + 1] = p; frame[o + 2] = p
            }
        }
        return Image(width: 320, height: 240, format: .rgb24, pixels: frame)
    }

    func testPersonInFrameGivesPixelMinus128() throws {
        for name in ["person", "no_person"] {
            let bmp = try SharedData.image("data/" + name + ".bmp")
            XCTAssertEqual(bmp.width, 96); XCTAssertEqual(bmp.height, 96); XCTAssertEqual(bmp.format, .grey)
            let image = ImagePipelineTests.truePicture(bmp)
            let pipeline = try ImagePipeline(geometry: ImagePipelineTests.personGeometry,
                                             region: .centre(width: 192, height: 192), normalization: .minus128)
            let tensor = try pipeline.run(ImagePipelineTests.personFrame(image))
            XCTAssertEqual(pipeline.lastRegion, PixelRect(x: 64, y: 24, width: 192, height: 192))
            // Exactly pixel - 128 (area averaging of equal 2x2 blocks, luma of R = G = B is exact).
            XCTAssertEqual(tensor.map { Int8(bitPattern: $0) }, image.pixels.map { Int8(Int($0) - 128) }, name)
            // That is exactly what TFLM's example feeds (models/person_detect/in-NAME-0.bin: the
            // BMP's bytes as int8), so person_detect classifies it as TFLM does.
            let tflm = try SharedData.bytes("models/person_detect/in-" + name + "-0.bin")
            XCTAssertEqual(tensor, tflm, name)
            XCTAssertEqual(tensor, bmp.pixels, name)
        }
    }

    func testDefaultCentreCropOfFrame() throws {
        let image = ImagePipelineTests.truePicture(try SharedData.image("data/person.bmp"))
        let pipeline = try ImagePipeline(geometry: ImagePipelineTests.personGeometry)
        let tensor = try pipeline.run(ImagePipelineTests.personFrame(image))
        XCTAssertEqual(pipeline.lastRegion, PixelRect(x: 40, y: 0, width: 240, height: 240))
        XCTAssertEqual(tensor.count, 96 * 96)
    }

    func testQuantizationModes() {
        let g = ImagePipelineTests.personGeometry
        let raw = TensorQuantizer(geometry: g, normalization: .minus128)
        XCTAssertEqual(raw.table.map { Int(Int8(bitPattern: $0)) }, (0..<256).map { $0 - 128 })
        // person_detect's own scale (1/127.5 as float32) and zero point (-1) with [-1, 1]:
        // (p - 127.5) lands next to .5 in float32, so 192 values give p - 128 and 64 give p - 129.
        let symmetric = TensorQuantizer(geometry: g, normalization: .symmetric)
        var counts = [0, 0]
        for p in 0..<256 {
            let q = Int(Int8(bitPattern: symmetric.table[p]))
            XCTAssertTrue(q == p - 128 || q == p - 129, String(p))
            counts[q == p - 128 ? 0 : 1] += 1
        }
        XCTAssertEqual(counts, [192, 64])
        let unit = TensorQuantizer(geometry: ImageTensorGeometry(width: 1, height: 1, channels: 1, type: .int8,
                                                                 scale: 1.0 / 255, zeroPoint: -128), normalization: .unit)
        XCTAssertEqual(unit.table.map { Int(Int8(bitPattern: $0)) }, (0..<256).map { $0 - 128 })
        let u8 = TensorQuantizer(geometry: ImageTensorGeometry(width: 1, height: 1, channels: 1, type: .uint8,
                                                               scale: 1.0 / 255, zeroPoint: 0), normalization: .unit)
        XCTAssertEqual(u8.table, (0..<256).map { UInt8($0) })
    }

    func testSIMDColourKernelsMatchReference() {
        var rng = SystemRandomNumberGenerator()
        for width in [1, 15, 16, 17, 64, 333] {
            let rgb = (0..<(3 * width)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var a = [UInt8](repeating: 0, count: width), b = a
            ColourConversion.rgbToGrey(rgb, width: width, into: &a)
            ColourConversion.rgbToGreyReference(rgb, width: width, into: &b)
            XCTAssertEqual(a, b)
            let even = width + (width & 1)
            let yuyv = (0..<(2 * even)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var c = [UInt8](repeating: 0, count: 3 * even), d = c
            ColourConversion.yuyvToRGB(yuyv, width: even, into: &c)
            ColourConversion.yuyvToRGBReference(yuyv, width: even, into: &d)
            XCTAssertEqual(c, d)
            let rowA = (0..<width).map { _ in UInt16.random(in: 0...65280, using: &rng) }
            let rowB = (0..<width).map { _ in UInt16.random(in: 0...65280, using: &rng) }
            for w: UInt32 in [0, 1, 128, 255, 256] {
                var e = [UInt8](repeating: 0, count: width), f = e
                BilinearResizer.blend(rowA, rowB, weight: w, count: width, into: &e)
                BilinearResizer.blendReference(rowA, rowB, weight: w, count: width, into: &f)
                XCTAssertEqual(e, f)
            }
        }
    }

    func testColourConversionValues() {
        var out = [UInt8](repeating: 0, count: 6)
        ColourConversion.yuyvToRGB([235, 128, 16, 128], width: 2, into: &out)
        XCTAssertEqual(out, [255, 255, 255, 0, 0, 0])
        var grey = [UInt8](repeating: 0, count: 3)
        ColourConversion.rgbToGrey([255, 0, 0, 0, 255, 0, 77, 77, 77], width: 3, into: &grey)
        XCTAssertEqual(grey, [77, 149, 77])
    }

    func testYUYVFrameToGreyAndRGB() throws {
        // 64x32 YUYV frame: Y ramps along x, neutral chroma.
        var bytes = [UInt8]()
        for _ in 0..<32 { for x in 0..<64 { bytes.append(UInt8(16 + 3 * x)); bytes.append(128) } }
        let frame = Image(width: 64, height: 32, format: .yuyv, pixels: bytes)
        let grey = try ImagePipeline(geometry: ImageTensorGeometry(width: 32, height: 16, channels: 1, type: .uint8,
                                                                   scale: 1, zeroPoint: 0), region: .full)
        let g = try grey.run(frame)
        XCTAssertEqual(g[0], 18)  // mean of Y 16, 19, and the rows below
        for x in 1..<32 { XCTAssertGreaterThan(g[x], g[x - 1]) }
        let rgb = try ImagePipeline(geometry: ImageTensorGeometry(width: 16, height: 16, channels: 3, type: .uint8,
                                                                  scale: 1, zeroPoint: 0))
        let c = try rgb.run(frame)
        XCTAssertEqual(rgb.lastRegion, PixelRect(x: 16, y: 0, width: 32, height: 32))
        for i in stride(from: 0, to: c.count, by: 3) { XCTAssertEqual(c[i], c[i + 1]); XCTAssertEqual(c[i + 1], c[i + 2]) }
    }

    func testBilinearKeepsUniformAndInterpolates() throws {
        let uniform = Image(width: 10, height: 7, format: .grey, pixels: [UInt8](repeating: 200, count: 70))
        let up = try ImagePipeline(geometry: ImageTensorGeometry(width: 23, height: 19, channels: 1, type: .uint8,
                                                                 scale: 1, zeroPoint: 0), region: .full)
        XCTAssertEqual(Set(try up.run(uniform)), [200])
        // 2 -> 4 columns: half-pixel centres give 0, 64, 191, 255 (weights 0, 1/4, 3/4, 1).
        let edge = Image(width: 2, height: 1, format: .grey, pixels: [0, 255])
        let p = try ImagePipeline(geometry: ImageTensorGeometry(width: 4, height: 1, channels: 1, type: .uint8,
                                                                scale: 1, zeroPoint: 0), region: .full)
        XCTAssertEqual(try p.run(edge), [0, 64, 191, 255])
    }
}
