import PerchJPEG
import PerchMedia

/// libjpeg-turbo on the target: encode a pattern, check the markers, decode it back.
enum JPEGSelfChecks {
    /// A 64x48 RGB gradient with a padded stride (row bytes + 8), so the stride is honoured.
    static func pattern(width: Int, height: Int, stride: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0xEE, count: stride * height)
        for y in 0..<height {
            for x in 0..<width {
                let o = y * stride + 3 * x
                pixels[o] = UInt8(x * 255 / (width - 1))
                pixels[o + 1] = UInt8(y * 255 / (height - 1))
                pixels[o + 2] = 128
            }
        }
        return pixels
    }

    static func run(_ r: CheckRunner) {
        let (width, height, stride) = (64, 48, 64 * 3 + 8)
        let pixels = pattern(width: width, height: height, stride: stride)
        do throws(JPEGError) {
            let encoder = try JPEGEncoder(quality: 90)
            let jpeg = try encoder.encode(pixels, width: width, height: height, stride: stride, format: .rgb24)
            r.check("jpeg starts with SOI (FFD8)", jpeg.count > 4 && jpeg[0] == 0xFF && jpeg[1] == 0xD8)
            r.check("jpeg ends with EOI (FFD9)", jpeg.count > 4 && jpeg[jpeg.count - 2] == 0xFF && jpeg[jpeg.count - 1] == 0xD9)
            let again = try encoder.encode(pixels, width: width, height: height, stride: stride, format: .rgb24)
            r.check("jpeg encoder reused gives the same bytes", again == jpeg)
            let decoded = try JPEGDecoder().decode(jpeg)
            r.check("jpeg decodes to 64x48", decoded.width == width && decoded.height == height,
                    String(decoded.width) + "x" + String(decoded.height))
            var worst = 0
            for y in 0..<height {
                for x in 0..<(3 * width) {
                    worst = max(worst, abs(Int(decoded.pixels[y * 3 * width + x]) - Int(pixels[y * stride + x])))
                }
            }
            r.check("jpeg round trip within 16 levels", worst <= 16, "worst difference " + String(worst))
            let grey = try encoder.encode([UInt8](repeating: 200, count: 32 * 8), width: 32, height: 8, stride: 32, format: .grey)
            let greyBack = try JPEGDecoder().decode(grey, to: .grey)
            r.check("jpeg grey round trip", greyBack.width == 32 && greyBack.height == 8
                    && greyBack.pixels.allSatisfy { abs(Int($0) - 200) <= 2 })
        } catch {
            r.check("jpeg encode/decode", false, error.description)
        }
        do throws(JPEGError) {
            _ = try JPEGEncoder().encode([0, 0, 0], width: 2, height: 2, stride: 6, format: .rgb24)
            r.check("jpeg rejects a short buffer", false)
        } catch {
            r.check("jpeg rejects a short buffer", error == .badGeometry(width: 2, height: 2, stride: 6, bytes: 3), error.description)
        }
        do throws(JPEGError) {
            _ = try JPEGDecoder().decode([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
            r.check("jpeg rejects a truncated file", false)
        } catch {
            r.check("jpeg rejects a truncated file", error.description.hasPrefix("not a decodable JPEG"), error.description)
        }
    }
}
