import CPerchV4L2
import PerchSystem

/// What a camera says it can do: formats, and per format the sizes and frame rates.
public struct CameraCapabilities: Sendable {
    public var driver: String
    public var card: String
    public var busInfo: String
    public var canCapture: Bool
    public var canStream: Bool
}

public struct CameraFormatDescription: Sendable {
    public var fourcc: String
    public var description: String
    /// Provided by libv4l2's conversion rather than by the driver.
    public var emulated: Bool
    public var sizes: [CameraSizeDescription]
}

public struct CameraSizeDescription: Sendable {
    /// "320x180", or "16x16-1920x1080/2x2" for a stepwise range.
    public var size: String
    /// "30, 25, 15", or "1-60" for a continuous range.
    public var framesPerSecond: String
}

extension V4L2Session {
    func capabilities() -> Result<CameraCapabilities, Errno> {
        var caps = v4l2_capability()
        return V4L2.ioctl(fd, V4L2.queryCapabilities, &caps).map {
            // device_caps describes this node; capabilities the whole device.
            let flags = caps.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? caps.device_caps : caps.capabilities
            return CameraCapabilities(driver: V4L2.text(caps.driver), card: V4L2.text(caps.card),
                                      busInfo: V4L2.text(caps.bus_info),
                                      canCapture: flags & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0,
                                      canStream: flags & UInt32(V4L2_CAP_STREAMING) != 0)
        }
    }

    /// Every format, size and frame interval the driver (and libv4l2) lists.
    func formats(sizeLimit: Int = 64) -> [CameraFormatDescription] {
        var result: [CameraFormatDescription] = []
        var index: UInt32 = 0
        while true {
            var desc = v4l2_fmtdesc()
            desc.index = index
            desc.type = V4L2.captureType
            guard case .success = V4L2.ioctl(fd, V4L2.enumerateFormats, &desc) else { break }
            result.append(CameraFormatDescription(
                fourcc: V4L2.fourccName(desc.pixelformat), description: V4L2.text(desc.description),
                emulated: desc.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0,
                sizes: sizes(of: desc.pixelformat, limit: sizeLimit)))
            index += 1
        }
        return result
    }

    private func sizes(of fourcc: UInt32, limit: Int) -> [CameraSizeDescription] {
        var result: [CameraSizeDescription] = []
        var index: UInt32 = 0
        while result.count < limit {
            var size = v4l2_frmsizeenum()
            size.index = index
            size.pixel_format = fourcc
            guard case .success = V4L2.ioctl(fd, V4L2.enumerateSizes, &size) else { break }
            if size.type == UInt32(V4L2_FRMSIZE_TYPE_DISCRETE.rawValue) {
                let w = size.discrete.width, h = size.discrete.height
                result.append(CameraSizeDescription(size: String(w) + "x" + String(h),
                                                    framesPerSecond: rates(fourcc, width: w, height: h)))
            } else {
                let s = size.stepwise
                result.append(CameraSizeDescription(
                    size: String(s.min_width) + "x" + String(s.min_height) + "-" + String(s.max_width) + "x"
                        + String(s.max_height) + "/" + String(s.step_width) + "x" + String(s.step_height),
                    framesPerSecond: rates(fourcc, width: s.max_width, height: s.max_height)))
                break  // a range is a single entry
            }
            index += 1
        }
        return result
    }

    private func rates(_ fourcc: UInt32, width: UInt32, height: UInt32) -> String {
        var parts: [String] = []
        var index: UInt32 = 0
        while parts.count < 16 {
            var interval = v4l2_frmivalenum()
            interval.index = index
            interval.pixel_format = fourcc
            interval.width = width
            interval.height = height
            guard case .success = V4L2.ioctl(fd, V4L2.enumerateIntervals, &interval) else { break }
            if interval.type == UInt32(V4L2_FRMIVAL_TYPE_DISCRETE.rawValue) {
                parts.append(formatRate(rate(of: interval.discrete)))
            } else {
                // Slowest rate is the longest interval.
                parts.append(formatRate(rate(of: interval.stepwise.max)) + "-" + formatRate(rate(of: interval.stepwise.min)))
                break
            }
            index += 1
        }
        return parts.joined(separator: ", ")
    }
}

/// Frames per second of a frame interval (seconds per frame as a fraction).
func rate(of interval: v4l2_fract) -> Double {
    interval.numerator == 0 ? 0 : Double(interval.denominator) / Double(interval.numerator)
}
