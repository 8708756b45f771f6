/// A RIFF/WAVE file's PCM audio: 8, 16, 24 or 32-bit integer samples (plain or
/// WAVE_FORMAT_EXTENSIBLE), any rate and channel count, converted to interleaved Int16.
public struct WAVAudio: Sendable {
    public var sampleRate: Int
    public var channels: Int
    /// Interleaved samples, `frameCount * channels` of them.
    public var samples: [Int16]

    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    public var frameCount: Int { channels == 0 ? 0 : samples.count / channels }

    public init(parsing bytes: [UInt8]) throws(FrontendError) {
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func tag(_ at: Int, _ text: StaticString) -> Bool {
            let t = text.utf8Start
            return (0..<4).allSatisfy { bytes[at + $0] == t[$0] }
        }
        guard bytes.count >= 12, tag(0, "RIFF"), tag(8, "WAVE") else {
            throw .unsupportedFile("not a RIFF/WAVE file")
        }
        var format: (tag: Int, channels: Int, rate: Int, bits: Int)? = nil
        var offset = 12
        while offset + 8 <= bytes.count {
            let size = u32(offset + 4)
            let body = offset + 8
            guard body + size <= bytes.count || tag(offset, "data") else {
                throw .unsupportedFile("truncated chunk")
            }
            if tag(offset, "fmt ") {
                guard size >= 16 else { throw .unsupportedFile("short fmt chunk") }
                var formatTag = u16(body)
                if formatTag == 0xFFFE && size >= 26 { formatTag = u16(body + 24) }  // extensible: sub-format GUID
                format = (formatTag, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if tag(offset, "data") {
                guard let f = format else { throw .unsupportedFile("data chunk before fmt chunk") }
                guard f.tag == 1 else { throw .unsupportedFile("only integer PCM WAV files are read") }
                guard f.channels >= 1, f.rate > 0, [8, 16, 24, 32].contains(f.bits) else {
                    throw .unsupportedFile("PCM format (channels, rate, bits)")
                }
                let end = min(body + size, bytes.count)  // tolerate a too-large size (streamed files)
                let width = f.bits / 8
                let count = (end - body) / width / f.channels * f.channels
                var samples = [Int16](repeating: 0, count: count)
                for i in 0..<count {
                    let p = body + i * width
                    switch width {
                    case 1: samples[i] = Int16(Int(bytes[p]) - 128) << 8  // 8-bit WAV is unsigned
                    case 2: samples[i] = Int16(bitPattern: UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8)
                    default:  // keep the top 16 bits
                        samples[i] = Int16(bitPattern: UInt16(bytes[p + width - 2]) | UInt16(bytes[p + width - 1]) << 8)
                    }
                }
                self.init(sampleRate: f.rate, channels: f.channels, samples: samples)
                return
            }
            offset = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .unsupportedFile("no data chunk")
    }

    /// A 16-bit PCM WAV file of this audio.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        func text(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func u16(_ v: Int) { out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)) }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16((v >> 16) & 0xFFFF) }
        let dataBytes = samples.count * 2
        text("RIFF"); u32(36 + dataBytes); text("WAVE")
        text("fmt "); u32(16); u16(1); u16(channels); u32(sampleRate)
        u32(sampleRate * channels * 2); u16(channels * 2); u16(16)
        text("data"); u32(dataBytes)
        out.reserveCapacity(out.count + dataBytes)
        for s in samples { u16(Int(UInt16(bitPattern: s))) }
        return out
    }
}
