import XCTest
import Foundation
@testable import PerchFrontends

final class ResamplerTests: XCTestCase {
    static func tone(frequency: Double, rate: Int, seconds: Double, amplitude: Double = 16000,
                     channels: [Double] = [1]) -> [Int16] {
        let frames = Int(Double(rate) * seconds)
        var out: [Int16] = []
        out.reserveCapacity(frames * channels.count)
        for n in 0..<frames {
            let v = amplitude * sin(2 * Double.pi * frequency * Double(n) / Double(rate))
            for gain in channels { out.append(Int16((v * gain).rounded())) }
        }
        return out
    }

    static func resample(_ input: [Int16], from rate: Int, channels: Int = 1, chunk: Int = 777) throws -> [Int16] {
        let r = try Resampler(inputRate: rate, outputRate: 16000, channels: channels)
        var out: [Int16] = []
        var i = 0
        while i < input.count {
            let end = min(i + chunk * channels, input.count)
            r.process(Array(input[i..<end])) { out.append(contentsOf: $0) }
            i = end
        }
        return out
    }

    /// Least-squares fit of a sinusoid at `frequency`; returns (amplitude, residual power / signal power in dB).
    static func fit(_ x: ArraySlice<Int16>, frequency: Double, rate: Double) -> (amplitude: Double, residualDB: Double) {
        var ss = 0.0, cc = 0.0, sc = 0.0, xs = 0.0, xc = 0.0
        for (k, v) in x.enumerated() {
            let w = 2 * Double.pi * frequency * Double(k) / rate
            let s = sin(w), c = cos(w), d = Double(v)
            ss += s * s; cc += c * c; sc += s * c; xs += d * s; xc += d * c
        }
        let det = ss * cc - sc * sc
        let a = (xs * cc - xc * sc) / det
        let b = (xc * ss - xs * sc) / det
        var residual = 0.0, signal = 0.0
        for (k, v) in x.enumerated() {
            let w = 2 * Double.pi * frequency * Double(k) / rate
            let model = a * sin(w) + b * cos(w)
            residual += (Double(v) - model) * (Double(v) - model)
            signal += model * model
        }
        return ((a * a + b * b).squareRoot(), 10 * log10(residual / signal))
    }

    /// Frequency from zero crossings (linear interpolation), for a readable figure.
    static func zeroCrossingFrequency(_ x: ArraySlice<Int16>, rate: Double) -> Double {
        var crossings: [Double] = []
        var previous = Double(x.first!)
        for (k, v) in x.enumerated().dropFirst() {
            let d = Double(v)
            if previous < 0 && d >= 0 { crossings.append(Double(k - 1) + -previous / (d - previous)) }
            previous = d
        }
        return Double(crossings.count - 1) / ((crossings.last! - crossings.first!) / rate)
    }

    func checkTone(rate: Int, channels: [Double] = [1], expectedAmplitude: Double = 16000) throws {
        let input = ResamplerTests.tone(frequency: 1000, rate: rate, seconds: 1, channels: channels)
        let output = try ResamplerTests.resample(input, from: rate, channels: channels.count)
        XCTAssertEqual(Double(output.count), 16000, accuracy: 2)
        let steady = output[2000..<15000]  // past the filter's start-up
        let f = ResamplerTests.zeroCrossingFrequency(steady, rate: 16000)
        let (amplitude, residualDB) = ResamplerTests.fit(steady, frequency: 1000, rate: 16000)
        print("resampler " + String(rate) + " Hz x" + String(channels.count) + ": f = " + String(f)
              + " Hz, amplitude " + String(amplitude) + ", residual " + String(residualDB) + " dB")
        XCTAssertEqual(f, 1000, accuracy: 0.5)
        XCTAssertEqual(amplitude, expectedAmplitude, accuracy: expectedAmplitude * 0.01)
        XCTAssertLessThan(residualDB, -60)
    }

    func testTone48k() throws { try checkTone(rate: 48000) }
    func testTone44k1() throws { try checkTone(rate: 44100) }
    func testToneStereo48k() throws { try checkTone(rate: 48000, channels: [1, 1]) }
    func testToneStereo44k1OneChannel() throws { try checkTone(rate: 44100, channels: [1, 0], expectedAmplitude: 8000) }
    func testUpsampling8k() throws { try checkTone(rate: 8000) }

    /// Tones above 8 kHz would alias into the 16 kHz output: they must be removed.
    func testAliasRejection() throws {
        for (rate, frequency) in [(48000, 12000.0), (48000, 8600.0), (44100, 9000.0), (44100, 15000.0)] {
            let input = ResamplerTests.tone(frequency: frequency, rate: rate, seconds: 1)
            let output = try ResamplerTests.resample(input, from: rate)
            let steady = output[2000..<15000]
            let power = steady.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(steady.count)
            let db = 10 * log10(max(power, 1e-3) / (16000.0 * 16000 / 2))
            print("resampler alias " + String(rate) + " Hz, tone " + String(frequency) + ": " + String(db) + " dB")
            XCTAssertLessThan(db, -60)
        }
    }

    func testEqualRatePassesThroughAndMixes() throws {
        let r = try Resampler(inputRate: 16000, channels: 2)
        var out: [Int16] = []
        r.process([100, 200, -5, -6, 7]) { out.append(contentsOf: $0) }
        XCTAssertEqual(out, [150, -6])
    }

    func testSIMDDotMatchesReference() {
        var rng = SystemRandomNumberGenerator()
        for count in [8, 16, 64, 248] {
            let a = (0..<count).map { _ in Int16.random(in: -20000...20000, using: &rng) }
            let b = (0..<count).map { _ in Int16.random(in: .min ... .max, using: &rng) }
            let scaled = a.map { Int16($0 / Int16(count / 8 + 1)) }
            XCTAssertEqual(Resampler.dot(scaled, b, count: count, fractionBits: 15),
                           Resampler.dotReference(scaled, b, count: count, fractionBits: 15))
        }
    }
}
