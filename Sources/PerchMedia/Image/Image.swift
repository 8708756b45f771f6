/// An image that owns its pixels, rows packed: image files, test pictures, and camera frames
/// copied out of the driver's buffer (`init(copying:)`) to wait for a model, a viewer or a
/// recording. `ImageView` is the borrowed, strided form of the same five fields.
public struct Image: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    public var pixels: [UInt8]

    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        precondition(pixels.count == format.rowBytes(width: width) * height, "pixel buffer size")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// A copy of a borrowed frame, rows packed (a driver's row padding is dropped).
    public init(copying view: ImageView) {
        let rowBytes = view.format.rowBytes(width: view.width)
        var pixels = [UInt8](repeating: 0, count: rowBytes * view.height)
        pixels.withUnsafeMutableBytes { out in
            if view.stride == rowBytes {
                out.copyMemory(from: UnsafeRawBufferPointer(start: view.base, count: rowBytes * view.height))
            } else {
                for y in 0..<view.height {
                    (out.baseAddress! + y * rowBytes).copyMemory(from: view.base + y * view.stride, byteCount: rowBytes)
                }
            }
        }
        self.init(width: view.width, height: view.height, format: view.format, pixels: pixels)
    }

    /// Bytes of one row (the rows are packed: also the stride).
    public var rowBytes: Int { format.rowBytes(width: width) }

    /// Lends the pixels as a view to `body`; its typed error passes through.
    public func withView<R, E: Error>(_ body: (ImageView) throws(E) -> R) throws(E) -> R {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result: Result<R, E> = pixels.withUnsafeBytes { raw in
            do throws(E) {
                return .success(try body(ImageView(base: raw.baseAddress!, width: width, height: height, format: format)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
