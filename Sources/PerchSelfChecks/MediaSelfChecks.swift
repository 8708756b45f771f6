import PerchMedia

/// Media file checks for the target: the readers index bytes by hand, so they run on
/// aarch64 too (no XCTest in embedded mode).
enum MediaSelfChecks {
    static func run(_ r: CheckRunner) {
        let audio = WAVAudio(sampleRate: 16_000, channels: 2, samples: [1, -2, 32_767, -32_768])
        r.check("wav round trip", (try? WAVFile.read(WAVFile.encode(audio), path: "x.wav")) == audio)
        var wide = WAVFile.encode(WAVAudio(sampleRate: 8_000, channels: 1, samples: []))
        wide[32] = 3; wide[34] = 24; wide[40] = 3; wide += [0x11, 0x22, 0x33]  // one 24-bit sample
        r.check("wav 24-bit keeps the top 16 bits", (try? WAVFile.read(wide, path: "x.wav"))?.samples == [0x3322])
        do {
            _ = try WAVFile.read([1, 2, 3], path: "x.wav")
            r.check("wav rejects non-RIFF", false)
        } catch {
            r.check("wav rejects non-RIFF, naming the file", error.description == "x.wav: not a RIFF/WAVE file", error.description)
        }

        let ppm = Array("P6 2 1 255\n".utf8) + [255, 0, 0, 0, 0, 255]
        let image = try? ImageFile.read(ppm, path: "x.ppm")
        r.check("ppm decode", image?.width == 2 && image?.format == .rgb24 && image?.pixels == [255, 0, 0, 0, 0, 255])
        let pgm = try? ImageFile.read(Array("P5 2 1 15\n".utf8) + [5, 15], path: "x.pgm")
        r.check("pgm maxval scaling", pgm?.format == .grey && pgm?.pixels == [85, 255])
        r.check("pixel format names", PixelFormat(parsing: "YUYV") == .yuyv && PixelFormat(parsing: "gray") == .grey
                && PixelFormat.yuyv.rowBytes(width: 4) == 8)
    }
}
