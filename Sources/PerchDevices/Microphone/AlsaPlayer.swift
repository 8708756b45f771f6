import CPerchALSA
import PerchSystem

/// Plays S16_LE samples into an ALSA PCM: the test side of the loopback card (what is
/// played into `hw:Loopback,0,0` is captured on `hw:Loopback,1,0`).
public enum AlsaPlayer {
    /// Plays `samples` (interleaved) and waits until they are out. Returns the configuration
    /// the device ran with.
    @discardableResult
    public static func play(device: String, samples: [Int16], format: AudioFormat) throws(DeviceError) -> AlsaConfiguration {
        let pcm = try AlsaPCM(name: device, direction: .playback)
        defer { pcm.close() }
        let config = try pcm.configure(rate: format.sampleRate, channels: format.channels,
                                       periodFrames: 256, bufferFrames: 2_048)
        let totalFrames = samples.count / format.channels
        var offset = 0
        var underruns = 0
        while offset < totalFrames {
            let chunk = min(config.periodFrames, totalFrames - offset)
            let result = samples.withUnsafeBufferPointer { all in
                pcm.write(UnsafeRawPointer(all.baseAddress! + offset * format.channels), frames: chunk)
            }
            switch result {
            case .success(let n): offset += n
            case .failure(let e) where e.code == EPIPE:
                underruns += 1
                _ = pcm.prepare()
            case .failure(let e) where e == .wouldBlock:
                MonotonicClock.sleep(milliseconds: 1)
            case .failure(let e):
                throw DeviceError.from(e, device: device, operation: "snd_pcm_writei")
            }
        }
        pcm.drain()
        if underruns > 0 { Log.warning("player " + device + ": " + String(underruns) + " underruns") }
        return config
    }
}
