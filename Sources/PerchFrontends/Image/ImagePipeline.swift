import PerchMedia

/// Camera frame or image -> model input tensor: region of interest, colour conversion to the
/// model's channels, resize (area for large reductions, bilinear otherwise), quantization.
/// Buffers and tables are kept between frames and rebuilt only when the frame geometry
/// changes, so a steady camera stream does not allocate.
public final class ImagePipeline {
    public let geometry: ImageTensorGeometry
    public let region: RegionOfInterest
    public let resizeMethod: ResizeMethod
    public let normalization: PixelNormalization
    let quantizer: TensorQuantizer

    // Per source geometry.
    var converted: UnsafeMutablePointer<UInt8>? = nil
    var convertedCapacity = 0
    var lastRect: PixelRect? = nil
    var bilinear: BilinearResizer? = nil
    var area: AreaResizer? = nil
    let resized: UnsafeMutablePointer<UInt8>

    public init(geometry: ImageTensorGeometry, region: RegionOfInterest = .centreCrop,
                resize: ResizeMethod = .auto, normalization: PixelNormalization = .minus128) throws(FrontendError) {
        try geometry.validate()
        self.geometry = geometry
        self.region = region
        self.resizeMethod = resize
        self.normalization = normalization
        quantizer = TensorQuantizer(geometry: geometry, normalization: normalization)
        resized = .allocate(capacity: geometry.byteCount)
    }

    deinit {
        converted?.deallocate()
        resized.deallocate()
    }

    /// The region used for the last frame.
    public var lastRegion: PixelRect? { lastRect }

    /// Writes the tensor (`geometry.byteCount` bytes, HWC) for `frame` into `output`.
    public func run(_ frame: ImageView, into output: UnsafeMutableRawBufferPointer) throws(FrontendError) {
        guard output.count >= geometry.byteCount else { throw .invalidConfiguration("output buffer too small") }
        guard frame.width > 0, frame.height > 0, frame.stride >= frame.format.rowBytes(width: frame.width) else {
            throw .invalidConfiguration("frame geometry")
        }
        let rect = try region.resolve(frameWidth: frame.width, frameHeight: frame.height,
                                      targetWidth: geometry.width, targetHeight: geometry.height, format: frame.format)
        let c = geometry.channels
        prepare(for: rect)
        let buffer = converted!
        // 1. Region and colour.
        let byteOffset = frame.format.rowBytes(width: rect.x)
        for y in 0..<rect.height {
            ColourConversion.convertRow(frame.row(rect.y + y) + byteOffset, format: frame.format, width: rect.width,
                                        channels: c, into: buffer + y * rect.width * c)
        }
        // 2. Size.
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let resizedPixels: UnsafePointer<UInt8>
        if rect.width == geometry.width && rect.height == geometry.height {
            resizedPixels = UnsafePointer(buffer)
        } else if let area {
            area.resize(buffer, srcStride: rect.width * c, into: resized)
            resizedPixels = UnsafePointer(resized)
        } else {
            bilinear!.resize(buffer, srcStride: rect.width * c, into: resized)
            resizedPixels = UnsafePointer(resized)
        }
        // 3. Values.
        quantizer.apply(resizedPixels, count: geometry.byteCount, into: out)
    }

    /// Convenience: the tensor bytes for an owned image.
    public func run(_ image: Image) throws(FrontendError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: geometry.byteCount)
        let result: Result<Void, FrontendError> = out.withUnsafeMutableBytes { raw in
            do throws(FrontendError) {
                try image.withView { (view: ImageView) throws(FrontendError) in try run(view, into: raw) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return out
    }

    func prepare(for rect: PixelRect) {
        if rect == lastRect { return }
        lastRect = rect
        let c = geometry.channels
        let needed = rect.width * rect.height * c
        if needed > convertedCapacity {
            converted?.deallocate()
            converted = .allocate(capacity: needed)
            convertedCapacity = needed
        }
        let shrinkLots = rect.width >= 2 * geometry.width && rect.height >= 2 * geometry.height
        let shrinking = rect.width >= geometry.width && rect.height >= geometry.height
        // Area averaging needs at least one source pixel per output pixel.
        let useArea = shrinking && (resizeMethod == .area || (resizeMethod == .auto && shrinkLots))
        area = nil
        bilinear = nil
        if useArea {
            area = AreaResizer(srcWidth: rect.width, srcHeight: rect.height, dstWidth: geometry.width,
                               dstHeight: geometry.height, channels: c)
        } else {
            bilinear = BilinearResizer(srcWidth: rect.width, srcHeight: rect.height, dstWidth: geometry.width,
                                       dstHeight: geometry.height, channels: c)
        }
    }
}
