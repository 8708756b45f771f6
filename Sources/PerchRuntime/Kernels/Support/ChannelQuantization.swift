/// Per-output-channel requantization for CONV_2D, DEPTHWISE_CONV_2D and per-channel
/// FULLY_CONNECTED, as TFLite's `PopulateConvolutionQuantizationParams`: every channel
/// gets `QuantizeMultiplier(double(input_scale) * double(filter_scale[c]) / double(output_scale))`,
/// a per-tensor filter scale being broadcast to all channels.
struct ChannelMultipliers {
    let multipliers: OwnedBuffer<Int32>
    let shifts: OwnedBuffer<Int>
}

extension PrepareContext {
    /// Filter scales, checked: present, positive, and either one or one per channel
    /// (`channels` of them).
    func filterScales(_ filter: Tensor, channels: Int) throws(ModelError) -> [Float] {
        guard let q = filter.quantization, !q.scales.isEmpty else {
            throw fail("filter '\(filter.name)' has no quantization parameters")
        }
        if q.scales.count != 1 {
            guard q.scales.count == channels else {
                throw fail("filter '\(filter.name)' has \(q.scales.count) per-channel scales for \(channels) output channels")
            }
            // TFLite checks the count against the dimension the file names.
            if q.dimension >= 0 && q.dimension < filter.shape.count && filter.shape[q.dimension] != channels {
                throw fail("filter '\(filter.name)' quantized dimension \(q.dimension) has size \(filter.shape[q.dimension]), not \(channels)")
            }
        }
        for s in q.scales where !(s > 0 && s.isFinite) {
            throw fail("filter '\(filter.name)' has invalid scale \(s)")
        }
        return q.scales
    }

    func channelMultipliers(inputScale: Float, filterScales: [Float], outputScale: Float,
                            channels: Int) -> ChannelMultipliers {
        let multipliers = OwnedBuffer<Int32>(count: channels, initialValue: 0)
        let shifts = OwnedBuffer<Int>(count: channels, initialValue: 0)
        for c in 0..<channels {
            let filterScale = filterScales.count == 1 ? filterScales[0] : filterScales[c]
            let real = Double(inputScale) * Double(filterScale) / Double(outputScale)
            let q = QuantizedMultiplier(real)
            multipliers[c] = q.multiplier
            shifts[c] = q.shift
        }
        return ChannelMultipliers(multipliers: multipliers, shifts: shifts)
    }

    /// Optional int32 bias of `count` elements (input `index`, -1 when omitted).
    func optionalBias(_ index: Int, count: Int) throws(ModelError) -> UnsafeMutablePointer<Int32>? {
        guard let bias = input(index) else { return nil }
        try requireType(bias, "bias", .int32)
        guard bias.elementCount == count else {
            throw shapeError("bias '\(bias.name)' has \(bias.elementCount) elements, expected \(count)")
        }
        return bias.pointer(as: Int32.self)
    }
}
