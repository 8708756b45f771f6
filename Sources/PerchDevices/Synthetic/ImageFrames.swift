import PerchSystem
import PerchMedia

/// What the picture-file cameras (ImageFileCamera, ImageSequenceCamera) share: reading a
/// picture file (BMP/PPM/PGM) and turning it into frame bytes of the requested format.
enum ImageFrames {
    /// Reads and decodes `path`. Read errors name `device` (the file itself, or the list
    /// file and line that refers to it); decoding errors name the file.
    static func load(_ path: String, device: String) throws(DeviceError) -> Image {
        let bytes: [UInt8]
        do { bytes = try Files.read(path) } catch {
            throw DeviceError.from(error, device: device, operation: "read")
        }
        do { return try ImageFile.read(bytes, path: path) } catch { throw .mediaFile(error) }
    }

    /// The frame format for `image` under `request`: a requested size of 0 keeps the
    /// picture's own size.
    static func format(for image: Image, request: FrameRequest) -> FrameFormat {
        FrameFormat(width: request.width > 0 ? request.width : image.width,
                    height: request.height > 0 ? request.height : image.height,
                    pixelFormat: request.pixelFormat, framesPerSecond: Double(request.framesPerSecond))
    }

    /// Nearest-neighbour scaling into the frame layout.
    static func render(_ image: Image, to format: FrameFormat) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: format.frameBytes)
        let sourceRowBytes = image.format.rowBytes(width: image.width)
        for y in 0..<format.height {
            let sourceRow = (y * image.height / format.height) * sourceRowBytes
            for x in 0..<format.width {
                let (r, g, b) = colour(image, row: sourceRow, x: x * image.width / format.width)
                FramePixels.store(r, g, b, x: x, row: y * format.bytesPerLine, format: format.pixelFormat, into: &out)
            }
        }
        return out
    }

    /// R, G, B of pixel `x` of the row starting at `row`; grey pixels give R = G = B.
    private static func colour(_ image: Image, row: Int, x: Int) -> (UInt8, UInt8, UInt8) {
        switch image.format {
        case .rgb24: return (image.pixels[row + 3 * x], image.pixels[row + 3 * x + 1], image.pixels[row + 3 * x + 2])
        case .grey:
            let v = image.pixels[row + x]
            return (v, v, v)
        case .yuyv:  // files are never YUYV; luma is enough for a picture built in memory
            let v = image.pixels[row + 2 * x]
            return (v, v, v)
        }
    }
}
