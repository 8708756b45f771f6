import PerchMedia
import XCTest

/// A camera frame copied out of the driver's buffer: the rows a model, the live view and a
/// recording read are the frame's pixels, whatever padding the driver put after each row.
final class ImageCopyTests: XCTestCase {
    func testCopyingAPaddedFrameDropsThePadding() {
        // 3x2 RGB24: rows of 9 pixel bytes, each followed by one byte of padding (0xEE).
        let width = 3, height = 2, stride = 10
        var buffer = [UInt8](repeating: 0xEE, count: stride * height)
        for y in 0..<height { for i in 0..<(3 * width) { buffer[y * stride + i] = UInt8(10 * y + i) } }
        let image = buffer.withUnsafeBytes {
            Image(copying: ImageView(base: $0.baseAddress!, width: width, height: height, stride: stride, format: .rgb24))
        }
        XCTAssertEqual(image.width, 3)
        XCTAssertEqual(image.height, 2)
        XCTAssertEqual(image.format, .rgb24)
        XCTAssertEqual(image.rowBytes, 9)
        XCTAssertEqual(image.pixels, [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18])
    }

    func testCopyingAPackedFrameKeepsEveryByte() {
        let grey: [UInt8] = [1, 2, 3, 4, 5, 6]
        let image = grey.withUnsafeBytes { Image(copying: ImageView(base: $0.baseAddress!, width: 3, height: 2, format: .grey)) }
        XCTAssertEqual(image, Image(width: 3, height: 2, format: .grey, pixels: grey))
        // Viewed again, the copy reads as the frame did.
        image.withView { view in
            XCTAssertEqual(view.stride, 3)
            XCTAssertEqual(view.row(1)[2], 6)
        }
    }
}
