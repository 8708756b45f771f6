import PerchMedia

/// WAV files carry the same stream shape a microphone or player speaks in.
extension WAVAudio {
    public init(format: AudioFormat, samples: [Int16]) {
        self.init(sampleRate: format.sampleRate, channels: format.channels, samples: samples)
    }

    public var format: AudioFormat { AudioFormat(sampleRate: sampleRate, channels: channels) }
}
