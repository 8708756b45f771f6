import PerchMedia

/// A rectangle of a frame, in pixels.
public struct PixelRect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }
}

/// Which part of the frame becomes the model input.
public enum RegionOfInterest: Sendable, Equatable {
    /// The largest centred region with the model input's aspect ratio (no distortion).
    case centreCrop
    /// The whole frame, stretched to the input's aspect ratio.
    case full
    /// A centred region of this size.
    case centre(width: Int, height: Int)
    /// An explicit rectangle.
    case rect(PixelRect)

    /// The rectangle for a frame and target, clipped to the frame; for YUYV frames x and
    /// width are made even so chroma pairs stay whole.
    public func resolve(frameWidth: Int, frameHeight: Int, targetWidth: Int, targetHeight: Int,
                        format: PixelFormat) throws(FrontendError) -> PixelRect {
        var r: PixelRect
        switch self {
        case .full:
            r = PixelRect(x: 0, y: 0, width: frameWidth, height: frameHeight)
        case .centreCrop:
            // Compare aspect ratios without division: w/h vs tw/th.
            if frameWidth * targetHeight > targetWidth * frameHeight {
                let w = (frameHeight * targetWidth + targetHeight / 2) / targetHeight
                r = PixelRect(x: (frameWidth - w) / 2, y: 0, width: w, height: frameHeight)
            } else {
                let h = (frameWidth * targetHeight + targetWidth / 2) / targetWidth
                r = PixelRect(x: 0, y: (frameHeight - h) / 2, width: frameWidth, height: h)
            }
        case .centre(let w, let h):
            r = PixelRect(x: (frameWidth - w) / 2, y: (frameHeight - h) / 2, width: w, height: h)
        case .rect(let rect):
            r = rect
        }
        let x0 = max(0, r.x), y0 = max(0, r.y)
        let x1 = min(frameWidth, r.x + r.width), y1 = min(frameHeight, r.y + r.height)
        r = PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
        if format == .yuyv {
            if r.x & 1 == 1 { r.x += 1; r.width -= 1 }
            r.width &= ~1
        }
        guard r.width > 0 && r.height > 0 else { throw .invalidConfiguration("region of interest is outside the frame") }
        return r
    }
}
