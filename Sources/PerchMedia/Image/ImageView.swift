/// A frame in memory that is read but not owned (a camera buffer, or an `Image`'s pixels
/// for the duration of `withView`).
public struct ImageView {
    public var base: UnsafeRawPointer
    public var width: Int
    public var height: Int
    /// Bytes from one row to the next (>= the row's pixel bytes).
    public var stride: Int
    public var format: PixelFormat

    public init(base: UnsafeRawPointer, width: Int, height: Int, stride: Int? = nil, format: PixelFormat) {
        self.base = base
        self.width = width
        self.height = height
        self.stride = stride ?? format.rowBytes(width: width)
        self.format = format
    }

    /// The first byte of row `y`. Inlinable: the image pipeline calls it for every row.
    @inlinable @inline(__always)
    public func row(_ y: Int) -> UnsafePointer<UInt8> {
        (base + y * stride).assumingMemoryBound(to: UInt8.self)
    }
}
