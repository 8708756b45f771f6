/// A PCM WAV file's contents: 16-bit interleaved samples.
public struct WavAudio: Equatable, Sendable {
    public var format: AudioFormat
    public var samples: [Int16]

    public init(format: AudioFormat, samples: [Int16]) {
        self.format = format
        self.samples = samples
    }

    public var frameCount: Int { samples.count / format.channels }
}

/// Reads and writes RIFF/WAVE files with 16-bit PCM (format 1, or EXTENSIBLE with PCM).
public enum WavFile {
    public static func decode(_ b: [UInt8], path: String) throws(DeviceError) -> WavAudio {
        guard b.count >= 12, ascii(b, 0, "RIFF"), ascii(b, 8, "WAVE") else {
            throw .badFile(path: path, "not a RIFF/WAVE file")
        }
        var position = 12
        var format: AudioFormat? = nil
        while position + 8 <= b.count {
            let size = Int(le32(b, position + 4))
            let body = position + 8
            guard body + size <= b.count || ascii(b, position, "data") else {
                throw .badFile(path: path, "WAV chunk runs past the end of the file")
            }
            if ascii(b, position, "fmt ") {
                guard size >= 16 else { throw .badFile(path: path, "WAV fmt chunk is too short") }
                let tag = le16(b, body)
                let channels = Int(le16(b, body + 2))
                let rate = Int(le32(b, body + 4))
                let bits = Int(le16(b, body + 14))
                guard tag == 1 || tag == 0xFFFE else { throw .badFile(path: path, "WAV is not PCM (format " + String(tag) + ")") }
                guard bits == 16 else { throw .badFile(path: path, String(bits) + "-bit WAV is not supported (16 only)") }
                guard channels > 0, rate > 0 else { throw .badFile(path: path, "WAV has no channels or rate") }
                format = AudioFormat(sampleRate: rate, channels: channels)
            } else if ascii(b, position, "data") {
                guard let format else { throw .badFile(path: path, "WAV data comes before its fmt chunk") }
                // A truncated last chunk (recording cut short) keeps what is there.
                let available = min(size, b.count - body) / (2 * format.channels) * format.channels
                var samples = [Int16](repeating: 0, count: available)
                for i in 0..<available { samples[i] = Int16(bitPattern: le16(b, body + 2 * i)) }
                return WavAudio(format: format, samples: samples)
            }
            position = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .badFile(path: path, "WAV has no data chunk")
    }

    public static func encode(_ audio: WavAudio) -> [UInt8] {
        let dataBytes = audio.samples.count * 2
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataBytes)
        func text(_ s: String) { out.append(contentsOf: Array(s.utf8)) }
        func u32(_ v: Int) { for shift in [0, 8, 16, 24] { out.append(UInt8(truncatingIfNeeded: v >> shift)) } }
        func u16(_ v: Int) { out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8)) }
        text("RIFF"); u32(36 + dataBytes); text("WAVE")
        text("fmt "); u32(16); u16(1); u16(audio.format.channels); u32(audio.format.sampleRate)
        u32(audio.format.sampleRate * audio.format.bytesPerFrame); u16(audio.format.bytesPerFrame); u16(16)
        text("data"); u32(dataBytes)
        for s in audio.samples { u16(Int(UInt16(bitPattern: s))) }
        return out
    }

    private static func ascii(_ b: [UInt8], _ at: Int, _ tag: String) -> Bool {
        var i = at
        for c in tag.utf8 {
            guard i < b.count, b[i] == c else { return false }
            i += 1
        }
        return true
    }
}
