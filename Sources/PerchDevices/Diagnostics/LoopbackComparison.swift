/// Compares what was recorded from a loopback (or any lossless path) with what was
/// played: finds where the reference starts in the recording, then walks both, allowing
/// short runs of silence (a dropped timer tick under emulation) after which the signal
/// resumes, shifted or not.
public struct LoopbackComparison: Equatable, Sendable {
    /// Recording frames before the reference starts.
    public var offsetFrames: Int?
    /// Reference frames found, sample for sample, in the recording.
    public var matchedFrames = 0
    public var referenceFrames = 0
    /// Silent gaps tolerated: (reference frame where it began, recorded silent frames).
    public var gaps: [Gap] = []
    /// Reference frame where the recording stopped matching for good, if it did.
    public var mismatchAtFrame: Int?

    public struct Gap: Equatable, Sendable {
        public var atFrame: Int
        public var silentFrames: Int
    }

    /// True when the whole reference was found with at most `allowedGaps` gaps.
    public func matches(allowedGaps: Int) -> Bool {
        offsetFrames != nil && mismatchAtFrame == nil && gaps.count <= allowedGaps
    }

    public var description: String {
        guard let offsetFrames else { return "reference not found in the recording" }
        var text = "offset " + String(offsetFrames) + " frames, matched " + String(matchedFrames) + "/"
            + String(referenceFrames) + " frames, " + String(gaps.count) + " gaps"
        for gap in gaps { text += " [" + String(gap.silentFrames) + " silent frames at " + String(gap.atFrame) + "]" }
        if let mismatchAtFrame { text += ", mismatch at frame " + String(mismatchAtFrame) }
        return text
    }

    /// Mono or interleaved samples; `maxGapFrames` is the longest silence tolerated.
    public static func compare(reference: [Int16], recorded: [Int16], channels: Int = 1,
                               maxGapFrames: Int) -> LoopbackComparison {
        let ref = frames(reference, channels), rec = frames(recorded, channels)
        var result = LoopbackComparison()
        result.referenceFrames = ref.count
        let key = 32
        guard ref.count >= key, let start = find(ref, 0, key, in: rec, from: 0) else { return result }
        result.offsetFrames = start
        var i = 0, j = start
        while i < ref.count {
            guard j < rec.count else { result.mismatchAtFrame = i; break }
            if ref[i] == rec[j] { i += 1; j += 1; result.matchedFrames += 1; continue }
            // Count the silence in the recording, then look for the signal to resume.
            var silent = 0
            while j + silent < rec.count && rec[j + silent] == 0 && silent <= maxGapFrames { silent += 1 }
            let resumed = silent > 0 && silent <= maxGapFrames
                ? resume(ref, near: i, window: 2 * maxGapFrames, rec, at: j + silent) : nil
            guard let k = resumed else { result.mismatchAtFrame = i; break }
            result.gaps.append(Gap(atFrame: i, silentFrames: silent))
            i = k
            j += silent
        }
        return result
    }

    /// Interleaved samples as one value per frame (channels packed), so frames compare at once.
    private static func frames(_ samples: [Int16], _ channels: Int) -> [Int64] {
        let n = samples.count / channels
        var out = [Int64](repeating: 0, count: n)
        for f in 0..<n {
            var v: Int64 = 0
            for c in 0..<min(channels, 4) { v = v << 16 | Int64(UInt16(bitPattern: samples[f * channels + c])) }
            out[f] = v
        }
        return out
    }

    /// Where `ref[from..<from+length]` first occurs in `rec` at or after `start`.
    private static func find(_ ref: [Int64], _ from: Int, _ length: Int, in rec: [Int64], from start: Int) -> Int? {
        guard rec.count >= length else { return nil }
        var j = start
        while j + length <= rec.count {
            var k = 0
            while k < length && ref[from + k] == rec[j + k] { k += 1 }
            if k == length { return j }
            j += 1
        }
        return nil
    }

    /// The reference index near `i` where `rec[at...]` continues (16 frames must agree).
    private static func resume(_ ref: [Int64], near i: Int, window: Int, _ rec: [Int64], at: Int) -> Int? {
        let length = min(16, rec.count - at)
        guard length > 0 else { return nil }
        for k in max(0, i - window)...min(ref.count - 1, i + window) {
            let n = min(length, ref.count - k)
            var m = 0
            while m < n && ref[k + m] == rec[at + m] { m += 1 }
            if m == n && n >= min(length, 4) { return k }
        }
        return nil
    }
}

/// A deterministic test signal for loopback checks: pseudo-random noise that is never
/// zero, so silence in a recording can only come from the path.
public enum TestSignal {
    public static func noise(frames: Int, channels: Int, seed: UInt32 = 12_345) -> [Int16] {
        var state = seed
        var out = [Int16](repeating: 0, count: frames * channels)
        for i in 0..<out.count {
            state = state &* 1_664_525 &+ 1_013_904_223
            var v = Int16(truncatingIfNeeded: Int32(bitPattern: state) >> 18)  // about ±8192
            if v == 0 { v = 1 }
            out[i] = v
        }
        return out
    }
}
