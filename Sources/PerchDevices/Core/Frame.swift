import PerchMedia

/// What a frame source delivers: size, layout and rate.
public struct FrameFormat: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    /// Bytes from one row to the next (may exceed the row's pixel bytes).
    public var bytesPerLine: Int
    public var framesPerSecond: Double

    public init(width: Int, height: Int, pixelFormat: PixelFormat, bytesPerLine: Int? = nil, framesPerSecond: Double) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.bytesPerLine = bytesPerLine ?? pixelFormat.rowBytes(width: width)
        self.framesPerSecond = framesPerSecond
    }

    public var frameBytes: Int { bytesPerLine * height }

    /// Pixel bytes of one row, without the driver's padding.
    public var rowBytes: Int { pixelFormat.rowBytes(width: width) }

    public var description: String {
        String(width) + "x" + String(height) + " " + pixelFormat.name + " @ " + formatRate(framesPerSecond) + " fps"
    }
}

/// One captured frame. `bytes` is only valid inside the handler it is passed to: the
/// buffer goes back to the driver afterwards.
public struct Frame {
    public var format: FrameFormat
    /// The driver's frame counter; gaps mean dropped frames.
    public var sequence: UInt32
    /// Capture time in monotonic nanoseconds.
    public var timestampNs: Int64
    public var bytes: UnsafeRawBufferPointer
}

extension Frame {
    /// The frame as the image pipeline reads it, padding included; valid only where
    /// `bytes` is (inside the frame handler).
    public var view: ImageView {
        ImageView(base: bytes.baseAddress!, width: format.width, height: format.height, stride: format.bytesPerLine,
                  format: format.pixelFormat)
    }
}

/// A requested capture configuration; the device may adjust it.
public struct FrameRequest: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var pixelFormat: PixelFormat
    public var framesPerSecond: Int
    public var bufferCount: Int

    public init(width: Int = 320, height: Int = 240, pixelFormat: PixelFormat = .rgb24,
                framesPerSecond: Int = 15, bufferCount: Int = 4) {
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.framesPerSecond = framesPerSecond
        self.bufferCount = bufferCount
    }
}

/// "30" or "7.5": a rate without a trailing ".0".
func formatRate(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(rounded)
}
