import XCTest
@testable import PerchFrontends

/// The constants Perch computes at init equal those TFLM's Python stored in the preprocessor.
final class AudioTableTests: XCTestCase {
    func model() throws -> TFLiteConstants {
        TFLiteConstants(try SharedData.bytes("data/audio_preprocessor_int8.tflite"))
    }

    func testWindowWeightsMatchModel() throws {
        let constants = try model()
        let window = HannWindow(length: 480, shift: 12)
        XCTAssertEqual(window.weights, constants.int16s("Const"))
    }

    func testFilterBankMatchesModel() throws {
        let constants = try model()
        let c = AudioFeatureConfig.microSpeech
        let bank = try MelFilterBank(spectrumSize: 257, sampleRate: 16000, channelCount: 40,
                                     lowerBandLimit: 125, upperBandLimit: 7500, alignment: c.filterBankAlignment,
                                     blockSize: c.filterBankChannelBlockSize, weightBits: 12)
        XCTAssertEqual(bank.weights, constants.int16s("signal_filter_bank/Const"))
        XCTAssertEqual(bank.unweights, constants.int16s("signal_filter_bank/Const_1"))
        XCTAssertEqual(bank.frequencyStarts, constants.int16s("signal_filter_bank/Const_2"))
        XCTAssertEqual(bank.weightStarts, constants.int16s("signal_filter_bank/Const_3"))
        XCTAssertEqual(bank.widths, constants.int16s("signal_filter_bank/Const_4"))
        // The energy op's options in the model: start_index 5, end_index 241.
        XCTAssertEqual(bank.startIndex, 5)
        XCTAssertEqual(bank.endIndex, 241)
    }

    func testPCANTableMatchesModel() throws {
        let constants = try model()
        let pcan = PCANGainControl(strength: 0.95, offset: 80, gainBits: 21, inputBits: 7, snrShift: 6)
        XCTAssertEqual(pcan.table, constants.int16s("signal_pcan/Const"))
    }

    func testNoiseReductionConstantsMatchModelOptions() {
        // From the model's custom options of SignalFilterBankSpectralSubtraction.
        let n = NoiseReduction(config: .microSpeech)
        XCTAssertEqual(n.smoothing, 409)
        XCTAssertEqual(n.oneMinusSmoothing, 15975)
        XCTAssertEqual(n.alternateSmoothing, 983)
        XCTAssertEqual(n.alternateOneMinusSmoothing, 15401)
        XCTAssertEqual(n.minSignalRemaining, 819)
    }
}
