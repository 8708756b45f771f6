import PerchFrontends
import PerchMedia
import PerchRuntime

/// Frontend checks for the target: the fixed-point pipeline must give the host's bits
/// (hashes below were computed by the host build), and the tables built with Perch's own
/// math must come out right.
enum FrontendSelfChecks {
    /// FNV-1a over bytes, to compare long outputs with a host-computed constant.
    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    static func hex(_ v: UInt64) -> String { String(v, radix: 16) }

    static func run(_ r: CheckRunner) {
        r.check("table math cos(1)", abs(TableMath.cos(1) - 0.5403023058681398) < 1e-15)
        r.check("table math log(10)", abs(TableMath.log(10) - 2.302585092994046) < 1e-15)

        // FFT: a cosine at bin 8 puts (nearly) all energy in bin 8.
        if let fft = try? RealFFT(length: 512) {
            var input = [Int16](repeating: 0, count: 512)
            for n in 0..<512 { input[n] = Int16((16000 * TableMath.cos(2 * Double.pi * 8 * Double(n) / 512)).rounded()) }
            var spectrum = [Q15Complex](repeating: Q15Complex(re: 0, im: 0), count: 257)
            input.withUnsafeBufferPointer { i in spectrum.withUnsafeMutableBufferPointer { fft.transform(i.baseAddress!, $0.baseAddress!) } }
            let energies = spectrum.map { Int($0.re) * Int($0.re) + Int($0.im) * Int($0.im) }
            let peak = energies.indices.max { energies[$0] < energies[$1] }!
            r.check("fixed-point FFT peak at bin 8", peak == 8, "peak at " + String(peak))
            // N * A / 2 scaled by 1/N in kiss_fft's fixed point: A / 2 = 8000, less rounding.
            r.check("fixed-point FFT peak magnitude", abs(Int(spectrum[8].re) - 8000) <= 8, "re " + String(spectrum[8].re))
        } else {
            r.check("fixed-point FFT init", false)
        }

        // Whole feature pipeline on a synthetic second of audio, bit for bit.
        let audio = TestSignals.chirpWithNoise(rate: 16000, seconds: 1, channels: 1)
        var features: [UInt8] = []
        if let extractor = try? AudioFeatureExtractor() {
            extractor.process(audio) { for v in $0 { features.append(UInt8(bitPattern: v)) } }
        }
        r.check("audio features frame count", features.count == 49 * 40, String(features.count / 40) + " frames")
        let featureHash = fnv1a(features)
        r.check("audio features equal the host's", featureHash == 0x7ddf_8566_f255_d2af, "hash " + hex(featureHash))

        // Resampler: 48 kHz stereo 1 kHz tone -> 16 kHz, 2 zero crossings per ms.
        let tone = TestSignals.tone(rate: 48000, frequency: 1000, seconds: 1, channels: 2)
        var resampled: [Int16] = []
        if let resampler = try? Resampler(inputRate: 48000, outputRate: 16000, channels: 2) {
            resampler.process(tone) { resampled.append(contentsOf: $0) }
        }
        var crossings = 0
        if resampled.count > 15000 {
            for i in 2001..<15000 where (resampled[i - 1] < 0) != (resampled[i] < 0) { crossings += 1 }
        }
        r.check("resampler 48k stereo -> 16k length", abs(resampled.count - 16000) <= 2, String(resampled.count))
        r.check("resampler keeps 1 kHz", abs(crossings - 1625) <= 2, String(crossings) + " zero crossings")
        let resampledHash = fnv1a(resampled.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] })
        r.check("resampler output equals the host's", resampledHash == 0x21a0_a0fe_9698_2f2c, "hash " + hex(resampledHash))

        // Image pipeline: YUYV and RGB frames to grey and RGB tensors.
        var yuyv = [UInt8](repeating: 0, count: 160 * 120 * 2)
        for i in 0..<yuyv.count { yuyv[i] = UInt8(truncatingIfNeeded: i &* 13 &+ i >> 8) }
        var out: [UInt8] = []
        for channels in [1, 3] {
            let geometry = ImageTensorGeometry(width: 48, height: 40, channels: channels, type: .int8,
                                               scale: 1.0 / 255, zeroPoint: -128)
            for method in [ResizeMethod.area, .bilinear] {
                if let pipeline = try? ImagePipeline(geometry: geometry, resize: method, normalization: .unit),
                   let t = try? pipeline.run(Image(width: 160, height: 120, format: .yuyv, pixels: yuyv)) {
                    out += t
                }
            }
        }
        r.check("image pipeline output size", out.count == 48 * 40 * 8, String(out.count))
        let imageHash = fnv1a(out)
        r.check("image tensors equal the host's", imageHash == 0x5483_3751_0ee5_7a3f, "hash " + hex(imageHash))
    }
}
