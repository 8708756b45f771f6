/// The 40-channel mel filter bank: triangular filters over the power spectrum, each bin's
/// energy split between two neighbouring channels by a weight and its complement.
///
/// The layout (which bins each channel reads, aligned and padded to blocks) and the weights
/// are computed exactly as `filter_bank_ops._init_filter_bank_weights` does, in Float where
/// it uses float32 (the mel scale is the C `1127 * log1pf(f / 700)`), so they equal the
/// constants stored in audio_preprocessor_int8.tflite (a test checks this).
struct MelFilterBank {
    let channelCount: Int
    /// Spectrum bins in use: [startIndex, endIndex).
    let startIndex: Int
    let endIndex: Int
    /// Per channel (channelCount + 1 entries; entry 0 only feeds channel 1's complement).
    let frequencyStarts: [Int16]
    let weightStarts: [Int16]
    let widths: [Int16]
    let weights: [Int16]
    let unweights: [Int16]

    static func freqToMel(_ freq: Float) -> Float {
        1127 * Float(TableMath.log1p(Double(freq / 700)))
    }

    init(spectrumSize: Int, sampleRate: Int, channelCount: Int, lowerBandLimit: Float, upperBandLimit: Float,
         alignment: Int, blockSize: Int, weightBits: Int) throws(FrontendError) {
        self.channelCount = channelCount
        let indexAlignment = alignment < 2 ? 1 : alignment / 2
        let count = channelCount + 1

        // Centre frequencies, equally spaced in mel, in float32 arithmetic.
        let melLower = MelFilterBank.freqToMel(lowerBandLimit)
        let melUpper = MelFilterBank.freqToMel(upperBandLimit)
        let melSpacing = (melUpper - melLower) / Float(count)
        var centers = [Float](repeating: 0, count: count)
        for i in 0..<count { centers[i] = melLower + melSpacing * Float(i + 1) }

        // (spectrumSize - 1) excludes DC, as HTK does; bin frequencies are exact in Double.
        let hzPerBin = Double(sampleRate) / 2 / Double(spectrumSize - 1)
        func melOfBin(_ bin: Int) -> Float { MelFilterBank.freqToMel(Float(Double(bin) * hzPerBin)) }
        let start = (1 + Double(lowerBandLimit) / hzPerBin).rounded(.toNearestOrEven)
        startIndex = Int(start)

        var frequencyStarts = [Int16](repeating: 0, count: count)
        var weightStarts = [Int16](repeating: 0, count: count)
        var widths = [Int16](repeating: 0, count: count)
        var actualStarts = [Int](repeating: 0, count: count)
        var actualWidths = [Int](repeating: 0, count: count)
        var binStart = startIndex
        var weightIndex = 0
        var zerosInserted = false
        for chan in 0..<count {
            var bin = binStart
            while melOfBin(bin) <= centers[chan] { bin += 1 }
            let width = bin - binStart
            actualStarts[chan] = binStart
            actualWidths[chan] = width
            if width == 0 {
                // An empty channel reads one block of zero weights placed at the front.
                frequencyStarts[chan] = 0
                weightStarts[chan] = 0
                widths[chan] = Int16(blockSize)
                if !zerosInserted {
                    zerosInserted = true
                    for j in 0..<chan { weightStarts[j] += Int16(blockSize) }
                    weightIndex += blockSize
                }
            } else {
                let alignedStart = binStart / indexAlignment * indexAlignment
                let alignedWidth = binStart - alignedStart + width
                let paddedWidth = ((alignedWidth - 1) / blockSize + 1) * blockSize
                frequencyStarts[chan] = Int16(alignedStart)
                weightStarts[chan] = Int16(weightIndex)
                widths[chan] = Int16(paddedWidth)
                weightIndex += paddedWidth
            }
            binStart = bin
        }

        var weights = [Int16](repeating: 0, count: weightIndex)
        var unweights = [Int16](repeating: 0, count: weightIndex)
        var end = 0
        let melLow = melLower
        let scale = Float(1 << weightBits)
        for chan in 0..<count {
            var bin = actualStarts[chan]
            let offset = bin - Int(frequencyStarts[chan])
            let weightStart = Int(weightStarts[chan])
            let lowerMel = chan == 0 ? melLow : centers[chan - 1]
            for j in 0..<actualWidths[chan] {
                let num = centers[chan] - melOfBin(bin)
                let den = centers[chan] - lowerMel
                let weight = num / den
                weights[weightStart + offset + j] = Int16(truncatingIfNeeded: Int(weight * scale))
                unweights[weightStart + offset + j] = Int16(truncatingIfNeeded: Int((1 - weight) * scale))
                bin += 1
            }
            if bin > end { end = bin }
        }
        if end >= spectrumSize {
            throw .invalidConfiguration("filter bank reaches past the spectrum")
        }
        endIndex = end
        self.frequencyStarts = frequencyStarts
        self.weightStarts = weightStarts
        self.widths = widths
        self.weights = weights
        self.unweights = unweights
    }

    /// Accumulates weighted energies (TFLM's `FilterbankAccumulateChannels`), then takes the
    /// square root and undoes the FFT auto-scale shift (`FilterbankSqrt`).
    func apply(_ energy: UnsafePointer<UInt32>, scaleShift: Int, into output: UnsafeMutablePointer<UInt32>) {
        weights.withUnsafeBufferPointer { w in
            unweights.withUnsafeBufferPointer { u in
                var weighted: UInt64 = 0
                var unweighted: UInt64 = 0
                for chan in 0...channelCount {
                    let freqStart = Int(frequencyStarts[chan])
                    let weightStart = Int(weightStarts[chan])
                    for j in 0..<Int(widths[chan]) {
                        let e = UInt64(energy[freqStart + j])
                        weighted &+= UInt64(bitPattern: Int64(w[weightStart + j])) &* e
                        unweighted &+= UInt64(bitPattern: Int64(u[weightStart + j])) &* e
                    }
                    if chan > 0 {
                        output[chan - 1] = FixedPoint.sqrt64(weighted) >> UInt32(scaleShift)
                    }
                    weighted = unweighted
                    unweighted = 0
                }
            }
        }
    }
}
