extension ImageFile {
    /// Binary PGM (P5) and PPM (P6) with maxval up to 255; samples are scaled to 0...255.
    static func readPNM(_ b: [UInt8], path: String) throws(MediaFileError) -> Image {
        let channels = b[1] == 0x35 ? 1 : 3
        var at = 2
        let width = try headerNumber(b, &at, path: path)
        let height = try headerNumber(b, &at, path: path)
        let maxValue = try headerNumber(b, &at, path: path)
        // Exactly one white-space byte separates the header from the samples.
        guard at < b.count, isSpace(b[at]) else { throw .malformed(path: path, what: "PNM header end") }
        at += 1
        guard validSize(width, height) else {
            throw .malformed(path: path, what: "PNM size " + String(width) + "x" + String(height))
        }
        guard maxValue >= 1 && maxValue <= 255 else {
            throw .unsupported(path: path, what: "PNM maxval " + String(maxValue) + " (8-bit samples only)")
        }
        let count = width * height * channels
        guard at + count <= b.count else { throw .truncated(path: path, what: "PNM pixel data") }
        var pixels = Array(b[at..<(at + count)])
        if maxValue != 255 {
            for i in 0..<count {
                let sample = Int(pixels[i])
                guard sample <= maxValue else {
                    throw .malformed(path: path, what: "PNM sample " + String(sample) + " above maxval " + String(maxValue))
                }
                pixels[i] = UInt8((sample * 255 + maxValue / 2) / maxValue)
            }
        }
        return Image(width: width, height: height, format: channels == 1 ? .grey : .rgb24, pixels: pixels)
    }

    /// A decimal header field after at least one white-space byte or comment ('#' to the
    /// end of the line).
    private static func headerNumber(_ b: [UInt8], _ at: inout Int, path: String) throws(MediaFileError) -> Int {
        let start = at
        while at < b.count && (isSpace(b[at]) || b[at] == 0x23) {
            if b[at] == 0x23 { while at < b.count && b[at] != 0x0A { at += 1 } } else { at += 1 }
        }
        if at == b.count { throw .truncated(path: path, what: "PNM header") }
        guard at > start else { throw .malformed(path: path, what: "PNM header (no space before a number)") }
        var value = 0
        var digits = 0
        while at < b.count && b[at] >= 0x30 && b[at] <= 0x39 {
            digits += 1
            // More digits than any accepted size or maxval has: stop before overflow.
            guard digits <= 6 else { throw .malformed(path: path, what: "PNM header number too long") }
            value = value * 10 + Int(b[at] - 0x30)
            at += 1
        }
        guard digits > 0 else { throw .malformed(path: path, what: "PNM header") }
        return value
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
}
