import CPerchJPEG
import PerchMedia

// The one wrapper of libjpeg-turbo (its TurboJPEG API); nothing else imports CPerchJPEG.

/// Compresses RGB24 or GREY images to baseline JPEG (4:2:0 for colour). Holds one
/// libjpeg-turbo compressor and one output buffer, made once and reused for every frame, so
/// encoding allocates only the returned array. Not for concurrent use: one per thread.
public final class JPEGEncoder {
    public let quality: Int
    private let handle: tjhandle
    private var buffer: UnsafeMutablePointer<UInt8>? = nil
    private var capacity = 0

    /// `quality` 1…100 (clamped); 80 looks clean at a quarter of the size of 95.
    public init(quality: Int = 80) throws(JPEGError) {
        self.quality = min(100, max(1, quality))
        guard let handle = tjInitCompress() else { throw .cannotInitialize(lastMessage(nil)) }
        self.handle = handle
    }

    deinit {
        if let buffer { tjFree(buffer) }
        tjDestroy(handle)
    }

    /// Encodes `height` rows of `width` pixels, each row starting `stride` bytes after the last.
    public func encode(_ pixels: UnsafeRawBufferPointer, width: Int, height: Int, stride: Int,
                       format: PixelFormat) throws(JPEGError) -> [UInt8] {
        let pixelFormat: Int32
        let subsampling: Int32
        switch format {
        case .rgb24: (pixelFormat, subsampling) = (Int32(TJPF_RGB.rawValue), Int32(TJSAMP_420.rawValue))
        case .grey: (pixelFormat, subsampling) = (Int32(TJPF_GRAY.rawValue), Int32(TJSAMP_GRAY.rawValue))
        case .yuyv: throw .unsupportedFormat(format.name)
        }
        let rowBytes = format.rowBytes(width: width)
        guard width > 0, height > 0, width <= 65_535, height <= 65_535, stride >= rowBytes,
              let base = pixels.baseAddress, (height - 1) * stride + rowBytes <= pixels.count
        else { throw .badGeometry(width: width, height: height, stride: stride, bytes: pixels.count) }

        // tjBufSize is the worst case: with it and TJFLAG_NOREALLOC libjpeg-turbo writes into
        // our buffer and never reallocates it.
        let needed = Int(tjBufSize(Int32(width), Int32(height), subsampling))
        if needed > capacity {
            if let buffer { tjFree(buffer) }
            buffer = tjAlloc(Int32(needed))
            capacity = buffer == nil ? 0 : needed
            guard buffer != nil else { throw .encodeFailed("cannot allocate " + String(needed) + " bytes") }
        }
        var output: UnsafeMutablePointer<UInt8>? = buffer
        var size: UInt = UInt(capacity)
        let status = tjCompress2(handle, base.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(stride), Int32(height),
                                 pixelFormat, &output, &size, subsampling, Int32(quality), TJFLAG_NOREALLOC)
        guard status == 0, let output else { throw .encodeFailed(lastMessage(handle)) }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// An owned image (rows packed): the live view's frames and MQTT's snapshots.
    public func encode(_ image: Image) throws(JPEGError) -> [UInt8] {
        try encode(image.pixels, width: image.width, height: image.height, stride: image.rowBytes, format: image.format)
    }

    public func encode(_ pixels: [UInt8], width: Int, height: Int, stride: Int, format: PixelFormat) throws(JPEGError) -> [UInt8] {
        // withUnsafeBytes rethrows untyped errors: carry the typed one out in a Result.
        let result = pixels.withUnsafeBytes { raw -> Result<[UInt8], JPEGError> in
            do throws(JPEGError) {
                return .success(try encode(raw, width: width, height: height, stride: stride, format: format))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A decoded JPEG: tightly packed rows.
public struct DecodedJPEG: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    public var pixels: [UInt8]
}

/// Decompresses JPEGs (self-checks, tests, and whatever must read one back). One per thread.
public final class JPEGDecoder {
    private let handle: tjhandle

    public init() throws(JPEGError) {
        guard let handle = tjInitDecompress() else { throw .cannotInitialize(lastMessage(nil)) }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Width and height from the JPEG's header.
    public func size(of jpeg: [UInt8]) throws(JPEGError) -> (width: Int, height: Int) {
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let status = jpeg.withUnsafeBufferPointer { bytes in
            tjDecompressHeader3(handle, bytes.baseAddress, UInt(bytes.count), &width, &height, &subsampling, &colorspace)
        }
        guard status == 0, !jpeg.isEmpty else { throw .decodeFailed(jpeg.isEmpty ? "empty" : lastMessage(handle)) }
        return (Int(width), Int(height))
    }

    /// The whole image as RGB24 or GREY.
    public func decode(_ jpeg: [UInt8], to format: PixelFormat = .rgb24) throws(JPEGError) -> DecodedJPEG {
        let pixelFormat: Int32
        switch format {
        case .rgb24: pixelFormat = Int32(TJPF_RGB.rawValue)
        case .grey: pixelFormat = Int32(TJPF_GRAY.rawValue)
        case .yuyv: throw .unsupportedFormat(format.name)
        }
        let (width, height) = try size(of: jpeg)
        let rowBytes = format.rowBytes(width: width)
        var pixels = [UInt8](repeating: 0, count: rowBytes * height)
        let status = jpeg.withUnsafeBufferPointer { bytes in
            pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, bytes.baseAddress, UInt(bytes.count), out.baseAddress, Int32(width), Int32(rowBytes),
                              Int32(height), pixelFormat, 0)
            }
        }
        guard status == 0 else { throw .decodeFailed(lastMessage(handle)) }
        return DecodedJPEG(width: width, height: height, format: format, pixels: pixels)
    }
}

/// libjpeg-turbo's last error message for `handle` (or the global one).
private func lastMessage(_ handle: tjhandle?) -> String {
    guard let text = tjGetErrorStr2(handle) else { return "unknown error" }
    return String(cString: text)
}
