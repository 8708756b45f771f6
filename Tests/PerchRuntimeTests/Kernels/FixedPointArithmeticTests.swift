import XCTest
@testable import PerchRuntime

final class FixedPointArithmeticTests: XCTestCase {
    func testSaturatingRoundingDoublingHighMulKnownValues() {
        XCTAssertEqual(saturatingRoundingDoublingHighMul(Int32.min, Int32.min), Int32.max)
        XCTAssertEqual(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29)
        XCTAssertEqual(saturatingRoundingDoublingHighMul(Int32.max, Int32.max), Int32.max - 1)
        // Halves: +0.5 rounds up, -0.5 rounds toward zero (nudge 1 - 2^30, truncating division).
        XCTAssertEqual(saturatingRoundingDoublingHighMul(1, 1 << 30), 1)
        XCTAssertEqual(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0)
        XCTAssertEqual(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1)
    }

    func testRoundingDivideByPOTRoundsHalfAwayFromZero() {
        XCTAssertEqual(roundingDivideByPOT(5, 1), 3)
        XCTAssertEqual(roundingDivideByPOT(-5, 1), -3)
        XCTAssertEqual(roundingDivideByPOT(4, 1), 2)
        XCTAssertEqual(roundingDivideByPOT(-6, 2), -2)
        XCTAssertEqual(roundingDivideByPOT(-7, 2), -2)
        XCTAssertEqual(roundingDivideByPOT(Int32.max, 31), 1)
        XCTAssertEqual(roundingDivideByPOT(123, 0), 123)
    }

    func testQuantizeMultiplierMatchesTFLite() {
        // Values as TFLite's QuantizeMultiplier (frexp, round half away, renormalize) gives them.
        XCTAssertEqual(QuantizedMultiplier(0.5), QuantizedMultiplier(multiplier: 1 << 30, shift: 0))
        XCTAssertEqual(QuantizedMultiplier(1.0), QuantizedMultiplier(multiplier: 1 << 30, shift: 1))
        XCTAssertEqual(QuantizedMultiplier(0.75), QuantizedMultiplier(multiplier: 1610612736, shift: 0))
        XCTAssertEqual(QuantizedMultiplier(0.1), QuantizedMultiplier(multiplier: 1717986918, shift: -3))
        XCTAssertEqual(QuantizedMultiplier(3.0), QuantizedMultiplier(multiplier: 1610612736, shift: 2))
        XCTAssertEqual(QuantizedMultiplier(0), QuantizedMultiplier(multiplier: 0, shift: 0))
        // Rounds up to 2^31: renormalized to 2^30 with one more bit of shift.
        XCTAssertEqual(QuantizedMultiplier(0.99999999999), QuantizedMultiplier(multiplier: 1 << 30, shift: 1))
        // Below 2^-31 flushes to zero.
        XCTAssertEqual(QuantizedMultiplier(1e-12), QuantizedMultiplier(multiplier: 0, shift: 0))
        // Subnormal input still decomposes exactly.
        let (f, e) = frexp(Double.leastNonzeroMagnitude)
        XCTAssertEqual(f, 0.5)
        XCTAssertEqual(e, -1073)
    }

    func testQuantizedMultiplierApproximatesRealProduct() {
        var rng = TestRandom(seed: 1)
        for _ in 0..<2000 {
            let real = Double(rng.float(1e-6, 4))
            let q = QuantizedMultiplier(real)
            let x = Int32(rng.int(-1_000_000...1_000_000))
            let exact = Double(x) * real
            XCTAssertLessThanOrEqual(abs(Double(q.apply(x)) - exact), 1.0 + abs(exact) * 1e-8)
        }
    }

    func testMultiplyByQuantizedMultiplierMatchesWideArithmetic() {
        var rng = TestRandom(seed: 2)
        for _ in 0..<20000 {
            let x = Int32(truncatingIfNeeded: rng.next() >> UInt64(rng.int(1...40)))
            let m = Int32(rng.int((1 << 30)...(Int(Int32.max))))
            let shift = rng.int(-31...4)
            XCTAssertEqual(multiplyByQuantizedMultiplier(x, m, shift), referenceRequantize(x, m, shift),
                           "x=\(x) m=\(m) shift=\(shift)")
        }
    }

    func testGemmlowpExpOnNegativeValues() {
        // exp(x) for x <= 0 with 5 integer bits: gemmlowp is accurate to about 1e-6.
        for raw in stride(from: Int32(0), through: -(31 << 26), by: -(1 << 21)) {
            let x = Double(raw) / Double(1 << 26)
            let got = Double(expOnNegativeValues(raw, integerBits: 5)) / 2147483648.0
            XCTAssertEqual(got, x == 0 ? 1 : Foundation.exp(x), accuracy: 1e-6, "x=\(x)")
        }
    }

    func testGemmlowpReciprocalAndLogisticTanh() {
        for a in stride(from: Int32(1 << 20), to: Int32.max - (1 << 26), by: 1 << 26) {
            let x = Double(a) / 2147483648.0
            XCTAssertEqual(Double(oneOverOnePlusXForXIn01(a)) / 2147483648.0, 1 / (1 + x), accuracy: 1e-8)
            XCTAssertEqual(Double(oneMinusXOverOnePlusXForXIn01(a)) / 2147483648.0, (1 - x) / (1 + x), accuracy: 1e-8)
        }
        for raw in stride(from: Int32(-15 << 27), through: 15 << 27, by: 1 << 24) {
            let x = Double(raw) / Double(1 << 27)
            XCTAssertEqual(Double(fixedPointLogistic(raw, integerBits: 4)) / 2147483648.0, 1 / (1 + Foundation.exp(-x)), accuracy: 1e-6)
            XCTAssertEqual(Double(fixedPointTanh(raw, integerBits: 4)) / 2147483648.0, Foundation.tanh(x), accuracy: 1e-6)
        }
    }

    func testInverseSquareRoot() {
        for v in [2, 3, 10, 100, 255, 1000, 65536, 1 << 29, Int(Int32.max)] {
            let (m, s) = invSqrtQuantizedMultiplierExp(Int32(v))
            let value = Double(m) / 2147483648.0 * Foundation.pow(2.0, Double(s))
            XCTAssertEqual(value, 1 / Double(v).squareRoot(), accuracy: 1e-5 / Double(v).squareRoot(), "v=\(v)")
        }
    }
}
