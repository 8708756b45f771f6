/// Errors of the signal frontends: bad configurations and unreadable media files.
public enum FrontendError: Error, Equatable, Sendable {
    /// A parameter combination the frontend cannot work with (the text says which).
    case invalidConfiguration(String)
    /// A WAV/BMP/PPM file that is malformed or uses a variant Perch does not read.
    case unsupportedFile(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): return "invalid frontend configuration: " + why
        case .unsupportedFile(let why): return "unsupported file: " + why
        }
    }
}
