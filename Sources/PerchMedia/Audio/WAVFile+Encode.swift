extension WAVFile {
    /// A 16-bit PCM WAV file (44-byte header) of `audio`.
    public static func encode(_ audio: WAVAudio) -> [UInt8] {
        let dataBytes = audio.samples.count * 2
        let blockAlign = audio.channels * 2
        var out: [UInt8] = []
        out.reserveCapacity(44 + dataBytes)
        func tag(_ s: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
        func u16(_ v: Int) { out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8)) }
        func u32(_ v: Int) { u16(v); u16(v >> 16) }
        tag("RIFF"); u32(36 + dataBytes); tag("WAVE")
        tag("fmt "); u32(16); u16(1); u16(audio.channels); u32(audio.sampleRate)
        u32(audio.sampleRate * blockAlign); u16(blockAlign); u16(16)
        tag("data"); u32(dataBytes)
        for s in audio.samples { u16(Int(UInt16(bitPattern: s))) }
        return out
    }
}
