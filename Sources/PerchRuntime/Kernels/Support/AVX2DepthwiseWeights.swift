/// A depthwise filter and output stage in the lane order of PerchX86AVX2's depthwise row
/// (`perch_avx2_depthwise_row`), made once at prepare on the `.avx2` path.
///
/// The kernel puts two taps' int16 inputs side by side (`vpunpcklwd`/`vpunpckhwd`, inside
/// 128-bit halves) and multiplies them by `vpmaddwd`, so per 16-lane block its low vector
/// holds channels [0...3, 8...11] and its high one [4...7, 12...15]. Here every pair of taps
/// becomes 16 low then 16 high int16 weights interleaved the same way (tap t, tap t + 1 per
/// channel; a missing last partner is 0), and the per-channel start values (bias + input
/// offset × Σ taps) and requantization parameters are stored in that lane order. With 8
/// channels (`twoPixels`) a block holds two pixels, so both halves repeat channels 0...7.
struct AVX2DepthwiseWeights {
    let filter: OwnedBuffer<Int16>
    let stage: GemmOutputStage

    /// `filter` is [tap][channel] int8; `offsets` the channels' start values.
    init(filter: UnsafePointer<Int8>, channels: Int, taps: Int, offsets: UnsafePointer<Int32>,
         multipliers: ChannelMultipliers, outputZeroPoint: Int32, min: Int32, max: Int32) {
        let twoPixels = channels == 8
        let blocks = twoPixels ? 1 : channels / 16
        let pairs = (taps + 1) / 2
        // Lane i of a block (0...7 low, 8...15 high) holds this channel of the block.
        @inline(__always) func channel(_ block: Int, _ lane: Int) -> Int {
            let high = lane >= 8 ? 4 : 0
            let l = lane & 7
            return block * 16 + (twoPixels ? 0 : (l / 4) * 8) + high + l % 4
        }
        let weights = OwnedBuffer<Int16>(count: blocks * pairs * 32, initialValue: 0)
        for b in 0..<blocks {
            for q in 0..<pairs {
                for half in 0..<2 {
                    for e in 0..<16 {
                        // Element e: 128-bit half e / 8, channel (e % 8) / 2 of it, tap 2q + e % 2.
                        let lane = half * 8 + (e / 8) * 4 + (e % 8) / 2
                        let tap = 2 * q + e % 2
                        let value = tap < taps ? Int16(filter[tap * channels + channel(b, lane)]) : 0
                        weights[((b * pairs + q) * 2 + half) * 16 + e] = value
                    }
                }
            }
        }
        self.filter = weights
        let lanes = blocks * 16
        var laneMultipliers = [Int32](), laneShifts = [Int]()
        for b in 0..<blocks {
            for lane in 0..<16 {
                laneMultipliers.append(multipliers.multipliers[channel(b, lane)])
                laneShifts.append(multipliers.shifts[channel(b, lane)])
            }
        }
        stage = laneMultipliers.withUnsafeBufferPointer { m in
            laneShifts.withUnsafeBufferPointer { s in
                GemmOutputStage(channels: lanes, multipliers: m.baseAddress!, shifts: s.baseAddress!,
                                outputZeroPoint: outputZeroPoint, min: min, max: max)
            }
        }
        for b in 0..<blocks {
            for lane in 0..<16 { stage.offsets[b * 16 + lane] = offsets[channel(b, lane)] }
        }
    }
}
