/// Double-precision elementary functions for building tables at init time (window, FFT
/// twiddles, mel filter bank, PCAN gain, resampler taps). PerchFrontends may not import a
/// math library, so these are written here: argument reduction in pieces (fdlibm's split
/// constants) and Taylor/atanh series, accurate to about one ulp. Tests compare them with
/// the C library; the tables they make are compared with the ones stored in the TFLM model.
/// Never used per sample.
public enum TableMath {
    static let ln2Hi = 6.93147180369123816490e-01  // ln 2, upper 32 bits: k * ln2Hi is exact
    static let ln2Lo = 1.90821492927058770002e-10
    static let pio2Part1 = 1.57079632673412561417e+00  // pi/2 in three pieces (fdlibm)
    static let pio2Part2 = 6.07710050630396597660e-11
    static let pio2Part3 = 2.02226624871116645580e-21

    /// 2^k for a normal result range.
    @inline(__always)
    static func power2(_ k: Int) -> Double {
        Double(sign: .plus, exponent: k, significand: 1)
    }

    /// Natural logarithm of a positive finite `x`.
    public static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "log of a non-positive or non-finite value")
        var e = Int(x.exponent)
        var m = x.significand  // [1, 2), also for subnormals
        if m > 1.4142135623730951 { m *= 0.5; e += 1 }
        // log(m) = log(1+f) = 2 atanh(s), s = f/(2+f); written as f - s*(f - R) to keep
        // the rounding of s away from the leading term.
        let f = m - 1
        let s = f / (2 + f)
        let z = s * s
        var r = 0.0
        var k = 14
        while k >= 1 {  // R = sum 2 z^k / (2k+1)
            r = z * (2.0 / Double(2 * k + 1) + r)
            k -= 1
        }
        let logm = f - s * (f - r)
        let de = Double(e)
        return de * ln2Hi + (logm + de * ln2Lo)
    }

    /// log(1 + x) for x > -1, accurate also for small x (Goldberg's correction).
    public static func log1p(_ x: Double) -> Double {
        let u = 1 + x
        if u == 1 { return x }
        return log(u) * (x / (u - 1))
    }

    /// e^x for x in about [-700, 700].
    public static func exp(_ x: Double) -> Double {
        if x == 0 { return 1 }
        precondition(x > -700 && x < 700, "exp argument out of range")
        let k = (x * 1.4426950408889634).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo  // |r| <= ln2/2
        var sum = 1.0
        var n = 20
        while n >= 1 {  // Horner form of sum r^n/n!
            sum = 1 + r * sum / Double(n)
            n -= 1
        }
        return sum * power2(Int(k))
    }

    /// x^y for x > 0.
    public static func pow(_ x: Double, _ y: Double) -> Double {
        exp(y * log(x))
    }

    /// Reduces x to r in [-pi/4, pi/4] and the quadrant k mod 4.
    @inline(__always)
    static func reduceQuarterPi(_ x: Double) -> (r: Double, quadrant: Int) {
        let k = (x * 0.63661977236758134).rounded()  // x * 2/pi
        precondition(abs(k) < 1_000_000, "trigonometric argument too large for table use")
        let r = ((x - k * pio2Part1) - k * pio2Part2) - k * pio2Part3
        return (r, Int(k) & 3)
    }

    @inline(__always)
    static func sinKernel(_ r: Double) -> Double {
        let r2 = r * r
        var sum = 1.0
        var n = 23
        while n >= 3 {  // 1 - r^2/(2*3) (1 - r^2/(4*5) (...))
            sum = 1 - r2 / Double(n * (n - 1)) * sum
            n -= 2
        }
        return r * sum
    }

    @inline(__always)
    static func cosKernel(_ r: Double) -> Double {
        let r2 = r * r
        var sum = 1.0
        var n = 22
        while n >= 2 {
            sum = 1 - r2 / Double(n * (n - 1)) * sum
            n -= 2
        }
        return sum
    }

    public static func sin(_ x: Double) -> Double {
        let (r, q) = reduceQuarterPi(x)
        switch q {
        case 0: return sinKernel(r)
        case 1: return cosKernel(r)
        case 2: return -sinKernel(r)
        default: return -cosKernel(r)
        }
    }

    public static func cos(_ x: Double) -> Double {
        let (r, q) = reduceQuarterPi(x)
        switch q {
        case 0: return cosKernel(r)
        case 1: return -sinKernel(r)
        case 2: return -cosKernel(r)
        default: return sinKernel(r)
        }
    }

    /// Modified Bessel function of the first kind, order 0 (Kaiser window), by its series.
    public static func besselI0(_ x: Double) -> Double {
        let q = x * x / 4
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while term > sum * 1e-17 {
            term *= q / (k * k)
            sum += term
            k += 1
        }
        return sum
    }
}
