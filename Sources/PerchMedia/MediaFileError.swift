/// Why a WAV, BMP or PGM/PPM file could not be read. Every case names the file, so the
/// message alone says which file is meant and what is wrong with it.
public enum MediaFileError: Error, Equatable, Sendable {
    /// The first bytes are not those of a format Perch reads; `expected` lists the formats.
    case unrecognized(path: String, expected: String)
    /// The file ends before its header or its data does.
    case truncated(path: String, what: String)
    /// A well-formed file in a variant Perch does not read (bit depth, compression, encoding).
    case unsupported(path: String, what: String)
    /// Header fields that are out of range or contradict each other.
    case malformed(path: String, what: String)

    public var path: String {
        switch self {
        case .unrecognized(let path, _), .truncated(let path, _), .unsupported(let path, _), .malformed(let path, _):
            return path
        }
    }

    public var description: String {
        switch self {
        case .unrecognized(let path, let expected): return path + ": not " + expected
        case .truncated(let path, let what): return path + ": truncated: " + what
        case .unsupported(let path, let what): return path + ": unsupported: " + what
        case .malformed(let path, let what): return path + ": malformed: " + what
        }
    }
}
