import XCTest
import Foundation
@testable import PerchFrontends

/// Perch's own elementary functions against the C library, to about one ulp.
final class TableMathTests: XCTestCase {
    func assertClose(_ a: Double, _ b: Double, ulps: Double = 1.5, _ what: String) {
        let tolerance = max(abs(b).ulp, Double.leastNormalMagnitude) * ulps
        XCTAssertLessThanOrEqual(abs(a - b), tolerance, what + " " + String(a) + " vs " + String(b))
    }

    func testLogExpPow() {
        var x = 1e-6
        while x < 1e7 {
            assertClose(TableMath.log(x), Foundation.log(x), "log")
            // Goldberg's log1p adds one rounding: 3 ulps, far below the float precision of the tables.
            assertClose(TableMath.log1p(x), Foundation.log1p(x), ulps: 3, "log1p")
            x *= 1.0137
        }
        var y = -50.0
        while y < 50 {
            assertClose(TableMath.exp(y), Foundation.exp(y), ulps: 2, "exp")
            y += 0.0731
        }
        for v in stride(from: 80.0, to: 1e9, by: 7777.7) {
            // exp(y log x) scales log's error by |y log x|; 1e-14 relative is ample for float tables.
            XCTAssertEqual(TableMath.pow(v, -0.95), Foundation.pow(v, -0.95), accuracy: 1e-14 * Foundation.pow(v, -0.95))
        }
    }

    func testSinCos() {
        var x = -40.0
        while x < 40 {
            // Absolute error near zeros of the function, relative elsewhere.
            XCTAssertEqual(TableMath.sin(x), Foundation.sin(x), accuracy: 2.5e-16 * max(1, abs(x)))
            XCTAssertEqual(TableMath.cos(x), Foundation.cos(x), accuracy: 2.5e-16 * max(1, abs(x)))
            x += 0.001_234_5
        }
    }

    /// The FFT twiddles must round exactly as kiss_fft's (which uses the C library's cos/sin).
    func testTwiddlesMatchCLibraryRounding() throws {
        for n in [64, 128, 256, 512, 1024] {
            for i in 0..<n {
                let phase = -2 * Double.pi * Double(i) / Double(n)
                let ours = RealFFT.unitRoot(phase: phase)
                XCTAssertEqual(Int(ours.re), Int(floor(0.5 + 32767 * Foundation.cos(phase))))
                XCTAssertEqual(Int(ours.im), Int(floor(0.5 + 32767 * Foundation.sin(phase))))
            }
        }
    }

    func testBesselI0() {
        // I0(0) = 1, I0(1) = 1.2660658777520082, I0(5) = 27.239871823604442
        XCTAssertEqual(TableMath.besselI0(0), 1)
        XCTAssertEqual(TableMath.besselI0(1), 1.2660658777520082, accuracy: 1e-15)
        XCTAssertEqual(TableMath.besselI0(5), 27.239871823604442, accuracy: 1e-13)
    }
}
