import PerchSystem
import PerchMedia

/// Why a device operation failed. Every case names the device so a log line alone says
/// which camera, PCM or GPIO chip is meant.
public enum DeviceError: Error, Equatable, Sendable {
    /// The device does not exist (no such node, PCM name, chip or line).
    case notFound(device: String, Errno)
    /// Another process holds the device.
    case busy(device: String)
    case permissionDenied(device: String)
    /// The device went away while in use (unplugged, driver unloaded, USB reset).
    case disconnected(device: String, Errno)
    /// A call failed for another reason.
    case failed(device: String, operation: String, Errno)
    /// The device cannot do what was asked (format, access mode, capability).
    case unsupported(device: String, String)
    /// A file source (WAV, BMP, PGM/PPM) could not be read; the error names the file.
    case mediaFile(MediaFileError)
    case invalidArgument(String)

    /// Maps a failed call's errno to the case a caller can act on.
    public static func from(_ error: Errno, device: String, operation: String) -> DeviceError {
        switch error {
        case .noEntry, .noDeviceOrAddress: return .notFound(device: device, error)
        case .busy: return .busy(device: device)
        case .accessDenied, .notPermitted: return .permissionDenied(device: device)
        case .noDevice, .io: return .disconnected(device: device, error)
        default: return .failed(device: device, operation: operation, error)
        }
    }

    /// True when closing and reopening the device later may succeed.
    public var isRecoverable: Bool {
        switch self {
        case .notFound, .busy, .disconnected: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .notFound(let device, let e): return device + ": not found (" + e.description + ")"
        case .busy(let device): return device + ": device busy (held by another process)"
        case .permissionDenied(let device): return device + ": permission denied"
        case .disconnected(let device, let e): return device + ": device disconnected (" + e.description + ")"
        case .failed(let device, let operation, let e): return device + ": " + operation + " failed (" + e.description + ")"
        case .unsupported(let device, let what): return device + ": unsupported: " + what
        case .mediaFile(let error): return error.description
        case .invalidArgument(let what): return "invalid argument: " + what
        }
    }
}
