import XCTest
import PerchMedia

final class PixelFormatTests: XCTestCase {
    func testRowBytes() {
        XCTAssertEqual(PixelFormat.rgb24.rowBytes(width: 5), 15)
        XCTAssertEqual(PixelFormat.grey.rowBytes(width: 5), 5)
        XCTAssertEqual(PixelFormat.yuyv.rowBytes(width: 6), 12)
    }

    func testParsingNamesFourccsAndAliases() {
        for text in ["rgb24", "RGB24", "rgb", "RGB3"] { XCTAssertEqual(PixelFormat(parsing: text), .rgb24, text) }
        for text in ["grey", "GREY", "gray", "Y8"] { XCTAssertEqual(PixelFormat(parsing: text), .grey, text) }
        for text in ["yuyv", "YUYV", "yuy2"] { XCTAssertEqual(PixelFormat(parsing: text), .yuyv, text) }
        XCTAssertNil(PixelFormat(parsing: "mjpeg"))
        XCTAssertNil(PixelFormat(parsing: ""))
    }

    func testNameParsesBack() {
        for format in [PixelFormat.rgb24, .grey, .yuyv] { XCTAssertEqual(PixelFormat(parsing: format.name), format) }
    }
}

final class ImageTests: XCTestCase {
    struct Stop: Error, Equatable {}

    func testWithViewLendsPixelsAndPassesTypedErrors() {
        let image = Image(width: 2, height: 2, format: .grey, pixels: [1, 2, 3, 4])
        let second = image.withView { (view: ImageView) -> UInt8 in view.row(1)[0] }
        XCTAssertEqual(second, 3)
        XCTAssertEqual(image.withView { $0.stride }, 2)
        XCTAssertThrowsError(try image.withView { (_: ImageView) throws(Stop) in throw Stop() }) {
            XCTAssertEqual($0 as? Stop, Stop())
        }
    }

    func testViewStrideDefaultsToPackedRows() {
        let pixels: [UInt8] = [0, 0, 0, 0]
        pixels.withUnsafeBytes { raw in
            XCTAssertEqual(ImageView(base: raw.baseAddress!, width: 2, height: 1, format: .yuyv).stride, 4)
            XCTAssertEqual(ImageView(base: raw.baseAddress!, width: 1, height: 1, stride: 4, format: .grey).stride, 4)
        }
    }
}
