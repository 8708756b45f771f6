/// One Q15 complex value (kiss_fft's `kiss_fft_cpx` with FIXED_POINT=16).
public struct Q15Complex: Equatable, Sendable {
    public var re: Int16
    public var im: Int16
    public init(re: Int16, im: Int16) { self.re = re; self.im = im }
}

/// Real-input FFT in 16-bit fixed point, bit-exact with kiss_fft v130's `kiss_fftr`
/// (FIXED_POINT=16), which TFLM's RFFT operator runs: a complex FFT of half length over the
/// even/odd samples, radix 4 (and 2) decimation in time, every butterfly dividing its inputs
/// by the radix with rounding so nothing overflows, then the split into the real spectrum.
/// Output: n/2 + 1 bins, scaled by 1/n.
public final class RealFFT {
    public let length: Int
    let half: Int
    /// e^(-2 pi i k / half), rounded as kiss_fft rounds (floor(0.5 + 32767 cos)).
    let twiddles: UnsafeMutablePointer<Q15Complex>
    /// e^(-i pi ((k+1)/half + 1/2)) for the real split.
    let superTwiddles: UnsafeMutablePointer<Q15Complex>
    /// Input index of each position after kiss_fft's recursive decimation.
    let inputOrder: UnsafeMutablePointer<Int>
    /// Stages from the innermost out: radix, sub-transform length m, twiddle stride.
    let stages: [(radix: Int, m: Int, stride: Int)]
    let work: UnsafeMutablePointer<Q15Complex>

    public init(length: Int) throws(FrontendError) {
        guard length >= 4, length & (length - 1) == 0 else {
            throw .invalidConfiguration("FFT length must be a power of two >= 4")
        }
        self.length = length
        half = length / 2
        twiddles = .allocate(capacity: half)
        superTwiddles = .allocate(capacity: half / 2)
        inputOrder = .allocate(capacity: half)
        work = .allocate(capacity: half)
        let pi = Double.pi
        for i in 0..<half {
            twiddles[i] = RealFFT.unitRoot(phase: -2 * pi * Double(i) / Double(half))
        }
        for i in 0..<(half / 2) {
            superTwiddles[i] = RealFFT.unitRoot(phase: -pi * (Double(i + 1) / Double(half) + 0.5))
        }
        // kf_factor: powers of 4 first, then a 2.
        var factors: [(radix: Int, m: Int)] = []
        var n = half
        while n > 1 {
            let p = n % 4 == 0 ? 4 : 2
            n /= p
            factors.append((p, n))
        }
        var outer: [(radix: Int, m: Int, stride: Int)] = []
        var stride = 1
        for f in factors {
            outer.append((f.radix, f.m, stride))
            stride *= f.radix
        }
        stages = outer.reversed()
        RealFFT.buildOrder(inputOrder, outBase: 0, inBase: 0, stride: 1, factors: factors, level: 0)
    }

    deinit {
        twiddles.deallocate()
        superTwiddles.deallocate()
        inputOrder.deallocate()
        work.deallocate()
    }

    static func unitRoot(phase: Double) -> Q15Complex {
        let c = (0.5 + 32767 * TableMath.cos(phase)).rounded(.down)
        let s = (0.5 + 32767 * TableMath.sin(phase)).rounded(.down)
        return Q15Complex(re: Int16(c), im: Int16(s))
    }

    /// kf_work's recursion: the leaves copy every stride-th input.
    static func buildOrder(_ order: UnsafeMutablePointer<Int>, outBase: Int, inBase: Int, stride: Int,
                           factors: [(radix: Int, m: Int)], level: Int) {
        let (p, m) = factors[level]
        for j in 0..<p {
            if m == 1 {
                order[outBase + j] = inBase + j * stride
            } else {
                buildOrder(order, outBase: outBase + j * m, inBase: inBase + j * stride,
                           stride: stride * p, factors: factors, level: level + 1)
            }
        }
    }

    /// Transforms `length` real samples into `length/2 + 1` bins.
    public func transform(_ input: UnsafePointer<Int16>, _ output: UnsafeMutablePointer<Q15Complex>) {
        let pairs = UnsafeRawPointer(input).assumingMemoryBound(to: Q15Complex.self)
        for i in 0..<half { work[i] = pairs[inputOrder[i]] }
        for stage in stages {
            var block = 0
            let size = stage.radix * stage.m
            while block < half {
                if stage.radix == 4 {
                    butterfly4(work + block, stride: stage.stride, m: stage.m)
                } else {
                    butterfly2(work + block, stride: stage.stride, m: stage.m)
                }
                block += size
            }
        }
        splitReal(output)
    }

    func butterfly2(_ f: UnsafeMutablePointer<Q15Complex>, stride: Int, m: Int) {
        for k in 0..<m {
            let a = Q15.divide(f[k], by: 2)
            let b = Q15.divide(f[k + m], by: 2)
            let t = Q15.multiply(b, twiddles[k * stride])
            f[k + m] = Q15.subtract(a, t)
            f[k] = Q15.add(a, t)
        }
    }

    func butterfly4(_ f: UnsafeMutablePointer<Q15Complex>, stride: Int, m: Int) {
        for k in 0..<m {
            let f0 = Q15.divide(f[k], by: 4)
            let f1 = Q15.divide(f[k + m], by: 4)
            let f2 = Q15.divide(f[k + 2 * m], by: 4)
            let f3 = Q15.divide(f[k + 3 * m], by: 4)
            let s0 = Q15.multiply(f1, twiddles[k * stride])
            let s1 = Q15.multiply(f2, twiddles[2 * k * stride])
            let s2 = Q15.multiply(f3, twiddles[3 * k * stride])
            let s5 = Q15.subtract(f0, s1)
            let g0 = Q15.add(f0, s1)
            let s3 = Q15.add(s0, s2)
            let s4 = Q15.subtract(s0, s2)
            f[k + 2 * m] = Q15.subtract(g0, s3)
            f[k] = Q15.add(g0, s3)
            f[k + m] = Q15Complex(re: s5.re &+ s4.im, im: s5.im &- s4.re)
            f[k + 3 * m] = Q15Complex(re: s5.re &- s4.im, im: s5.im &+ s4.re)
        }
    }

    /// kiss_fftr's post-processing: separates the spectra of the even and odd samples.
    func splitReal(_ out: UnsafeMutablePointer<Q15Complex>) {
        let dc = Q15.divide(work[0], by: 2)
        out[0] = Q15Complex(re: dc.re &+ dc.im, im: 0)
        out[half] = Q15Complex(re: dc.re &- dc.im, im: 0)
        if half < 2 { return }
        for k in 1...(half / 2) {
            let fpk = Q15.divide(work[k], by: 2)
            let mirrored = work[half - k]
            let fpnk = Q15.divide(Q15Complex(re: mirrored.re, im: 0 &- mirrored.im), by: 2)
            let f1 = Q15.add(fpk, fpnk)
            let f2 = Q15.subtract(fpk, fpnk)
            let tw = Q15.multiply(f2, superTwiddles[k - 1])
            out[k] = Q15Complex(re: Q15.halfSum(f1.re, tw.re), im: Q15.halfSum(f1.im, tw.im))
            out[half - k] = Q15Complex(re: Q15.halfDifference(f1.re, tw.re), im: Q15.halfDifference(tw.im, f1.im))
        }
    }
}

/// kiss_fft's fixed-point macros (FRACBITS 15): products in 32 bits, rounded back to 16.
enum Q15 {
    /// sround: add half, shift by 15, keep the low 16 bits.
    @inline(__always)
    static func round(_ x: Int32) -> Int16 { Int16(truncatingIfNeeded: (x &+ 16384) >> 15) }

    /// C_FIXDIV: multiply by SAMP_MAX/div with rounding.
    @inline(__always)
    static func divide(_ c: Q15Complex, by div: Int32) -> Q15Complex {
        let k = 32767 / div
        return Q15Complex(re: round(Int32(c.re) &* k), im: round(Int32(c.im) &* k))
    }

    @inline(__always)
    static func multiply(_ a: Q15Complex, _ b: Q15Complex) -> Q15Complex {
        let ar = Int32(a.re), ai = Int32(a.im), br = Int32(b.re), bi = Int32(b.im)
        return Q15Complex(re: round(ar &* br &- ai &* bi), im: round(ar &* bi &+ ai &* br))
    }

    @inline(__always)
    static func add(_ a: Q15Complex, _ b: Q15Complex) -> Q15Complex {
        Q15Complex(re: a.re &+ b.re, im: a.im &+ b.im)
    }

    @inline(__always)
    static func subtract(_ a: Q15Complex, _ b: Q15Complex) -> Q15Complex {
        Q15Complex(re: a.re &- b.re, im: a.im &- b.im)
    }

    /// HALF_OF(a + b): the sum in full int width, then an arithmetic shift.
    @inline(__always)
    static func halfSum(_ a: Int16, _ b: Int16) -> Int16 {
        Int16(truncatingIfNeeded: (Int32(a) + Int32(b)) >> 1)
    }

    /// HALF_OF(a - b).
    @inline(__always)
    static func halfDifference(_ a: Int16, _ b: Int16) -> Int16 {
        Int16(truncatingIfNeeded: (Int32(a) - Int32(b)) >> 1)
    }
}
