/// Kaiser-windowed sinc low-pass filters for the resampler, designed in Double at init.
enum LowpassDesign {
    /// Taps of a low-pass at `cutoff` (fraction of the sample rate, < 0.5) with DC gain `gain`.
    /// `beta` sets the Kaiser window's stopband (beta 8 is about -80 dB).
    static func kaiserSinc(length: Int, cutoff: Double, beta: Double, gain: Double) -> [Double] {
        var taps = [Double](repeating: 0, count: length)
        let centre = Double(length - 1) / 2
        let i0Beta = TableMath.besselI0(beta)
        var sum = 0.0
        for n in 0..<length {
            let t = Double(n) - centre
            let x = 2 * Double.pi * cutoff * t
            let sinc = t == 0 ? 2 * cutoff : TableMath.sin(x) / (Double.pi * t)
            let r = centre == 0 ? 0 : t / centre
            let w = TableMath.besselI0(beta * max(0, 1 - r * r).squareRoot()) / i0Beta
            taps[n] = sinc * w
            sum += taps[n]
        }
        // Normalize the DC gain exactly.
        for n in 0..<length { taps[n] *= gain / sum }
        return taps
    }

    /// Kaiser's estimate of the length for `attenuation` dB over a transition of
    /// `transition` (fraction of the sample rate).
    static func kaiserLength(attenuation: Double, transition: Double) -> Int {
        Int(((attenuation - 7.95) / (14.36 * transition)).rounded(.up)) + 1
    }

    static func kaiserBeta(attenuation: Double) -> Double {
        attenuation > 50 ? 0.1102 * (attenuation - 8.7) : 0.5842 * TableMath.pow(attenuation - 21, 0.4) + 0.07886 * (attenuation - 21)
    }
}
