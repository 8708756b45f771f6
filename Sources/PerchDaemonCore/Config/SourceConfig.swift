import PerchMedia

/// Where a camera's frames come from.
///
/// A struct rather than an enum with String payloads: embedded aarch64 builds (Swift 6.3.1)
/// miscompiled `enum { case a(String), b, c(String) }` holding a small (<= 15 byte) string
/// such as "/dev/video0" — `--check-config` trapped in the allocator while printing it.
public struct CameraDevice: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A V4L2 device node, e.g. `/dev/video0`.
        case v4l2
        /// The synthetic moving test pattern.
        case testPattern
        /// One still image (PPM/BMP) served as every frame: `image:PATH`.
        case image
        /// A playlist of images, each shown for its duration, looped: `sequence:PATH` to a
        /// list file with one `FILE DURATION_MS` per line.
        case sequence
    }

    public var kind: Kind
    /// The device node, image file or list file; empty for the test pattern.
    public var path: String

    public static func v4l2(path: String) -> CameraDevice { CameraDevice(kind: .v4l2, path: path) }
    public static let testPattern = CameraDevice(kind: .testPattern, path: "")
    public static func image(path: String) -> CameraDevice { CameraDevice(kind: .image, path: path) }
    public static func sequence(path: String) -> CameraDevice { CameraDevice(kind: .sequence, path: path) }

    public var description: String {
        switch kind {
        case .v4l2: return path
        case .testPattern: return "test-pattern"
        case .image: return "image:" + path
        case .sequence: return "sequence:" + path
        }
    }
}

/// `[camera]` or `[camera NAME]`.
public struct CameraConfig: Equatable, Sendable {
    public var name: String
    public var device: CameraDevice
    public var width: Int = 320
    public var height: Int = 240
    public var framesPerSecond: Int = 15
    public var format: PixelFormat = .rgb24

    public init(name: String, device: CameraDevice) {
        self.name = name
        self.device = device
    }
}

/// Where a microphone's samples come from.
public enum MicrophoneDevice: Equatable, Sendable {
    /// An ALSA capture PCM name: `default`, `hw:1,0`, `plughw:Loopback,1,0`.
    case alsa(name: String)
    /// A WAV file played as if captured: `wav:PATH`.
    case wav(path: String)

    public var description: String {
        switch self {
        case .alsa(let name): return name
        case .wav(let path): return "wav:" + path
        }
    }
}

/// `[microphone]` or `[microphone NAME]`.
public struct MicrophoneConfig: Equatable, Sendable {
    public var name: String
    public var device: MicrophoneDevice
    public var sampleRate: Int = 16_000
    public var channels: Int = 1
    /// Frames per ALSA period (per read).
    public var periodFrames: Int = 256

    public init(name: String, device: MicrophoneDevice) {
        self.name = name
        self.device = device
    }
}
