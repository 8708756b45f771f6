/// The analysis window: Hann weights in Q`shift` as `window_op.hann_window_weights` makes them
/// (periodic half-sample-offset form, numpy's round-half-even), applied as TFLM's
/// `ApplyWindow` does: product shifted right (flooring), saturated to Int16.
struct HannWindow {
    let weights: [Int16]
    let shift: Int32

    init(length: Int, shift: Int) {
        let arg = Double.pi * 2 / Double(length)
        var weights = [Int16](repeating: 0, count: length)
        for i in 0..<length {
            let w = 0.5 - 0.5 * TableMath.cos(arg * (Double(i) + 0.5))
            weights[i] = Int16((w * Double(1 << shift)).rounded(.toNearestOrEven))
        }
        self.weights = weights
        self.shift = Int32(shift)
    }

    func apply(_ input: UnsafePointer<Int16>, _ output: UnsafeMutablePointer<Int16>) {
        weights.withUnsafeBufferPointer { w in
            for i in 0..<w.count {
                let raw = (Int32(input[i]) * Int32(w[i])) >> shift
                output[i] = Int16(clamping: raw)
            }
        }
    }
}
