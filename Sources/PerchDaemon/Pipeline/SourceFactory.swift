import PerchDaemonCore
import PerchDevices
import PerchMedia

/// Builds device objects from configuration sections.
enum SourceFactory {
    static func camera(_ config: CameraConfig) -> FrameSource {
        let request = FrameRequest(width: config.width, height: config.height,
                                   pixelFormat: config.format,
                                   framesPerSecond: config.framesPerSecond)
        switch config.device.kind {
        case .v4l2: return V4L2Camera(path: config.device.path, request: request)
        case .testPattern: return TestPatternCamera(request: request)
        case .image: return ImageFileCamera(path: config.device.path, request: request)
        case .sequence: return ImageSequenceCamera(listPath: config.device.path, request: request)
        }
    }

    static func microphone(_ config: MicrophoneConfig) -> SampleSource {
        switch config.device {
        case .alsa(let name):
            return AlsaMicrophone(device: name, request: AudioRequest(sampleRate: config.sampleRate, channels: config.channels,
                                                                     periodFrames: config.periodFrames))
        case .wav(let path):
            return WavFileMicrophone(path: path, periodFrames: config.periodFrames)
        }
    }
}
