// libFuzzer target: the file readers behind POST /v1/infer uploads and the image-file
// camera (PerchMedia): WAV, and BMP/PGM/PPM. Every input goes to both readers. Besides "no
// crash", it checks what a caller relies on: an image's pixel buffer holds exactly width x
// height pixels of its format within the size limit, a WAV's samples are whole frames, and
// a decoded clip that fits a 16-bit WAV header encodes and decodes back to itself.
import PerchMedia

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMedia(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    do throws(MediaFileError) {
        let image = try ImageFile.read(bytes, path: "upload")
        precondition(image.width > 0 && image.height > 0 && image.width <= 16_384 && image.height <= 16_384,
                     "image size " + String(image.width) + "x" + String(image.height))
        precondition(image.pixels.count == image.format.rowBytes(width: image.width) * image.height,
                     "pixel buffer of " + String(image.pixels.count) + " bytes for " + String(image.width) + "x"
                        + String(image.height))
    } catch {
        _ = error.description
    }
    do throws(MediaFileError) {
        let audio = try WAVFile.read(bytes, path: "upload")
        precondition(audio.channels >= 1 && audio.sampleRate >= 1, "a clip with no channels or no rate")
        precondition(audio.samples.count % audio.channels == 0, "a partial frame")
        // The 44-byte header holds 32-bit sizes and rates, a 16-bit channel count.
        if audio.channels <= 0xFFFF && audio.sampleRate * audio.channels * 2 <= 0xFFFF_FFFF
            && 36 + audio.samples.count * 2 <= 0xFFFF_FFFF {
            let again = try WAVFile.read(WAVFile.encode(audio), path: "re-encoded")
            precondition(again == audio, "a clip did not survive encode and decode")
        }
    } catch {
        _ = error.description
    }
    return 0
}
