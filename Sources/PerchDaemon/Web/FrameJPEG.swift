import PerchFrontends
import PerchJPEG
import PerchMedia

/// A camera frame as JPEG, optionally with rectangles drawn on it (the models' crop regions).
/// RGB24 and GREY frames are encoded as they are; YUYV is converted to RGB first.
enum FrameJPEG {
    /// 2 pixels wide, amber: visible on both light and dark scenes.
    static let outline: (r: UInt8, g: UInt8, b: UInt8) = (255, 176, 0)

    static func encode(_ frame: Image, outlines: [PixelRect], with encoder: JPEGEncoder) throws(JPEGError) -> [UInt8] {
        if outlines.isEmpty && frame.format != .yuyv { return try encoder.encode(frame) }
        var rgb = frame.withView { RGBFrame.convert($0) }
        for rect in outlines { draw(rect, into: &rgb, width: frame.width, height: frame.height) }
        return try encoder.encode(rgb, width: frame.width, height: frame.height, stride: 3 * frame.width, format: .rgb24)
    }

    /// The rectangle's border, clipped to the image.
    static func draw(_ rect: PixelRect, into rgb: inout [UInt8], width: Int, height: Int, thickness: Int = 2) {
        let x0 = max(0, rect.x), y0 = max(0, rect.y)
        let x1 = min(width, rect.x + rect.width), y1 = min(height, rect.y + rect.height)
        guard x0 < x1, y0 < y1 else { return }
        func paint(_ x: Int, _ y: Int) {
            let o = 3 * (y * width + x)
            rgb[o] = outline.r; rgb[o + 1] = outline.g; rgb[o + 2] = outline.b
        }
        for t in 0..<thickness {
            for x in x0..<x1 {
                if y0 + t < y1 { paint(x, y0 + t) }
                if y1 - 1 - t >= y0 { paint(x, y1 - 1 - t) }
            }
            for y in y0..<y1 {
                if x0 + t < x1 { paint(x0 + t, y) }
                if x1 - 1 - t >= x0 { paint(x1 - 1 - t, y) }
            }
        }
    }
}
