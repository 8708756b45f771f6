import PerchMedia

/// Errors of the signal frontends: bad configurations and unreadable media files.
public enum FrontendError: Error, Equatable, Sendable {
    /// A parameter combination the frontend cannot work with (the text says which).
    case invalidConfiguration(String)
    /// A WAV/BMP/PGM/PPM file that is malformed or uses a variant Perch does not read.
    case mediaFile(MediaFileError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): return "invalid frontend configuration: " + why
        case .mediaFile(let error): return error.description  // names the file itself
        }
    }
}
