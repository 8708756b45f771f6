/// An image that owns its pixels, rows packed (images read from files, test pictures).
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
