/// RIFF/WAVE files. Reads integer PCM of 8, 16, 24 or 32 bits (plain, or
/// WAVE_FORMAT_EXTENSIBLE with the PCM sub-format) into 16-bit samples; writes 16-bit PCM.
public enum WAVFile {
    /// Decodes `bytes`; `path` only names the file in errors. A data chunk cut short (a
    /// recording stopped early, a streamed file's size left at its maximum) keeps the whole
    /// frames that are there.
    public static func read(_ bytes: [UInt8], path: String) throws(MediaFileError) -> WAVAudio {
        guard bytes.count >= 12, hasTag(bytes, 0, "RIFF"), hasTag(bytes, 8, "WAVE") else {
            throw .unrecognized(path: path, expected: "a RIFF/WAVE file")
        }
        var format: PCMFormat? = nil
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = le32(bytes, offset + 4)
            let body = offset + 8
            let isData = hasTag(bytes, offset, "data")
            guard body + size <= bytes.count || isData else {
                throw .truncated(path: path, what: "WAV chunk runs past the end of the file")
            }
            if hasTag(bytes, offset, "fmt ") {
                format = try PCMFormat(bytes, at: body, size: size, path: path)
            } else if isData {
                guard let format else { throw .malformed(path: path, what: "WAV data chunk before its fmt chunk") }
                return format.decode(bytes, from: body, to: min(body + size, bytes.count))
            }
            offset = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .malformed(path: path, what: "WAV has no data chunk")
    }
}

/// The fields of a fmt chunk that decoding needs, checked.
struct PCMFormat {
    var channels: Int
    var sampleRate: Int
    /// Bytes per sample: 1, 2, 3 or 4.
    var width: Int

    init(_ b: [UInt8], at body: Int, size: Int, path: String) throws(MediaFileError) {
        guard size >= 16 else { throw .malformed(path: path, what: "WAV fmt chunk of " + String(size) + " bytes") }
        var tag = le16(b, body)
        if tag == 0xFFFE {
            // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the real format tag.
            guard size >= 40 else { throw .malformed(path: path, what: "WAV extensible fmt chunk of " + String(size) + " bytes") }
            tag = le16(b, body + 24)
        }
        guard tag == 1 else { throw .unsupported(path: path, what: "WAV format " + String(tag) + " (integer PCM only)") }
        channels = le16(b, body + 2)
        sampleRate = le32(b, body + 4)
        let blockAlign = le16(b, body + 12)
        let bits = le16(b, body + 14)
        guard bits == 8 || bits == 16 || bits == 24 || bits == 32 else {
            throw .unsupported(path: path, what: String(bits) + "-bit WAV samples (8, 16, 24 and 32 are read)")
        }
        width = bits / 8
        guard channels >= 1, sampleRate >= 1 else { throw .malformed(path: path, what: "WAV with no channels or no sample rate") }
        guard blockAlign == channels * width else {
            throw .malformed(path: path, what: "WAV block size " + String(blockAlign) + " for " + String(channels)
                             + " channels of " + String(bits) + " bits")
        }
    }

    /// Whole frames of `b[start..<end]` as 16-bit samples.
    func decode(_ b: [UInt8], from start: Int, to end: Int) -> WAVAudio {
        let count = (end - start) / (width * channels) * channels
        var samples = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            let p = start + i * width
            switch width {
            case 1: samples[i] = Int16(Int(b[p]) - 128) << 8  // 8-bit WAV is unsigned
            default:  // 16 bits and wider: the top 16 bits, little-endian
                samples[i] = Int16(bitPattern: UInt16(b[p + width - 2]) | UInt16(b[p + width - 1]) << 8)
            }
        }
        return WAVAudio(sampleRate: sampleRate, channels: channels, samples: samples)
    }
}
