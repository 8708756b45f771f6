/// gemmlowp's fixed-point transcendental functions (fixedpoint.h) on raw int32 values,
/// reimplemented operation for operation so results match bit for bit. A value with
/// `integerBits` m is raw / 2^(31 - m). Adds wrap as gemmlowp's int32 `Add` does.

/// exp(x) for x in [-1/4, 0), Q0 in and out: Taylor expansion around -1/8.
@inline(__always)
func expOnIntervalBetweenNegativeOneQuarterAnd0Excl(_ a: Int32) -> Int32 {
    let constantTerm: Int32 = 1895147668      // exp(-1/8)
    let constantOneThird: Int32 = 715827883   // 1/3
    let x = a &+ (1 << 28)                    // a + 1/8
    let x2 = saturatingRoundingDoublingHighMul(x, x)
    let x3 = saturatingRoundingDoublingHighMul(x2, x)
    let x4 = saturatingRoundingDoublingHighMul(x2, x2)
    let x4Over4 = roundingDivideByPOT(x4, 2)
    let poly = roundingDivideByPOT(
        saturatingRoundingDoublingHighMul(x4Over4 &+ x3, constantOneThird) &+ x2, 1)
    return constantTerm &+ saturatingRoundingDoublingHighMul(constantTerm, x &+ poly)
}

/// exp(-2^k) in Q0 for k = -2...4 (gemmlowp's GEMMLOWP_EXP_BARREL_SHIFTER constants).
let expBarrelMultipliers: [Int32] = [1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242]

/// exp(a) for a <= 0, `a` with `integerBits` integer bits, result in Q0.
func expOnNegativeValues(_ a: Int32, integerBits: Int) -> Int32 {
    let fractionalBits = 31 - integerBits
    let oneQuarter = Int32(1) << Int32(fractionalBits - 2)
    let mask = oneQuarter &- 1
    let aModQuarterMinusOneQuarter = (a & mask) &- oneQuarter
    var result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
        saturatingRoundingMultiplyByPOT(aModQuarterMinusOneQuarter, integerBits))
    let remainder = aModQuarterMinusOneQuarter &- a
    // Barrel shifter: multiply by exp(-2^k) for each set bit of the remainder.
    for i in 0..<7 {
        let exponent = i - 2
        if integerBits <= exponent { continue }
        let bit = Int32(1) << Int32(fractionalBits + exponent)
        if remainder & bit != 0 {
            result = saturatingRoundingDoublingHighMul(result, expBarrelMultipliers[i])
        }
    }
    if integerBits > 5 {
        let clamp = -(Int32(1) << Int32(36 - integerBits))   // -32.0
        if a < clamp { result = 0 }
    }
    if a == 0 { result = Int32.max }
    return result
}

/// Newton-Raphson reciprocal core shared by 1/(1+x) and (1-x)/(1+x): returns the Q2
/// estimate of 1 / ((1 + a) / 2) for a in (0, 1) (Q0).
@inline(__always)
private func reciprocalOfHalfDenominator(_ halfDenominator: Int32) -> Int32 {
    let constant48Over17: Int32 = 1515870810
    let constantNeg32Over17: Int32 = -1010580540
    let oneQ2: Int32 = 1 << 29   // 1.0 with 2 integer bits (29 fractional)
    var x = constant48Over17 &+ saturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17)
    for _ in 0..<3 {
        let halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x)
        let oneMinus = oneQ2 &- halfDenominatorTimesX
        x = x &+ saturatingRoundingMultiplyByPOT(saturatingRoundingDoublingHighMul(x, oneMinus), 2)
    }
    return x
}

/// 1 / (1 + a) for a in (0, 1), Q0 in and out.
func oneOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
    let x = reciprocalOfHalfDenominator(roundingHalfSum(a, Int32.max))
    // ExactMulByPot<-1> (Q2 -> Q1, same raw) then Rescale<0>: saturating shift left by 1.
    return saturatingRoundingMultiplyByPOT(x, 1)
}

/// (1 - a) / (1 + a) for a in (0, 1), Q0 in and out.
func oneMinusXOverOnePlusXForXIn01(_ a: Int32) -> Int32 {
    let x = reciprocalOfHalfDenominator(roundingHalfSum(a, Int32.max))
    // Rescale<0>(x - One) from Q2: saturating shift left by 2.
    return saturatingRoundingMultiplyByPOT(x &- (1 << 29), 2)
}

/// TFLite's `GetReciprocal` (common.h): a fixed-point 1/x of an `integerDigits` value,
/// returned as a Q0 scale plus the number of bits it was normalized by.
func reciprocal(_ x: Int32, integerDigits: Int) -> (scale: Int32, bitsOverUnit: Int) {
    let headroomPlusOne = countLeadingZeros32(UInt32(bitPattern: x))
    let bitsOverUnit = integerDigits - headroomPlusOne
    let shifted = headroomPlusOne >= 32 ? 0 : UInt32(bitPattern: x) << UInt32(headroomPlusOne)
    let shiftedSumMinusOne = Int32(bitPattern: shifted &- (UInt32(1) << 31))
    return (oneOverOnePlusXForXIn01(shiftedSumMinusOne), bitsOverUnit)
}

/// gemmlowp `logistic` of a value with `integerBits` integer bits; Q0 result.
func fixedPointLogistic(_ a: Int32, integerBits: Int) -> Int32 {
    if a == 0 { return 1 << 30 }
    let absInput = a > 0 ? a : 0 &- a
    let positive = oneOverOnePlusXForXIn01(expOnNegativeValues(0 &- absInput, integerBits: integerBits))
    return a > 0 ? positive : Int32.max &- positive
}

/// gemmlowp `tanh` of a value with `integerBits` integer bits; Q0 result.
func fixedPointTanh(_ a: Int32, integerBits: Int) -> Int32 {
    if a == 0 { return 0 }
    let n = a < 0 ? a : 0 &- a
    // exp(2n): ExactMulByPot<1> keeps the raw value and adds an integer bit.
    let t = oneMinusXOverOnePlusXForXIn01(expOnNegativeValues(n, integerBits: integerBits + 1))
    return a < 0 ? 0 &- t : t
}
