import PerchDevices
import PerchMedia

/// A camera frame copied out of the device's buffer, so it can wait in a model's queue.
public struct CapturedFrame: Sendable {
    public var width: Int
    public var height: Int
    public var stride: Int
    public var format: PerchMedia.PixelFormat
    public var timestampNs: Int64
    public var bytes: [UInt8]

    public init(_ frame: Frame) {
        width = frame.format.width
        height = frame.format.height
        stride = frame.format.bytesPerLine
        format = frame.format.pixelFormat
        timestampNs = frame.timestampNs
        bytes = Array(frame.bytes)
    }

    public init(image: Image) {
        width = image.width
        height = image.height
        stride = image.format.rowBytes(width: image.width)
        format = image.format
        timestampNs = 0
        bytes = image.pixels
    }

    /// Runs `body` with an ImageView over the bytes.
    public func withView<T>(_ body: (ImageView) -> T) -> T {
        bytes.withUnsafeBytes { raw in
            body(ImageView(base: raw.baseAddress!, width: width, height: height, stride: stride, format: format))
        }
    }
}
