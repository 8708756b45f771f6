import CPerchV4L2
import PerchSystem
import PerchMedia

/// Every libv4l2 call Perch makes, in one place. libv4l2 stands between Perch and the
/// driver so that its format conversion (MJPEG/YUYV/NV12 → RGB24/GREY) applies to
/// negotiation, buffers and reads alike. EINTR is retried by `retryingOnInterrupt`.
enum V4L2 {
    /// The corresponding C function is `v4l2_open`.
    static func open(_ path: String) -> Result<Int32, Errno> {
        retryingOnInterrupt { perch_v4l2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC) }
    }

    /// The corresponding C function is `v4l2_close`.
    static func close(_ fd: Int32) {
        _ = v4l2_close(fd)
    }

    /// One ioctl on a struct. The corresponding C function is `v4l2_ioctl`.
    static func ioctl<T>(_ fd: Int32, _ request: UInt, _ argument: inout T) -> Result<Void, Errno> {
        withUnsafeMutablePointer(to: &argument) { pointer in
            retryingOnInterrupt { perch_v4l2_ioctl(fd, request, UnsafeMutableRawPointer(pointer)) }.map { _ in () }
        }
    }

    /// Maps a driver buffer. The corresponding C function is `v4l2_mmap`.
    static func map(_ fd: Int32, length: Int, offset: UInt32) -> Result<UnsafeMutableRawPointer, Errno> {
        let address = v4l2_mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, Int64(offset))
        if address == nil || address == UnsafeMutableRawPointer(bitPattern: -1) { return .failure(Errno.current) }
        return .success(address!)
    }

    /// The corresponding C function is `v4l2_munmap`.
    static func unmap(_ address: UnsafeMutableRawPointer, length: Int) {
        _ = v4l2_munmap(address, length)
    }

    // Request codes (function-like macros in videodev2.h, re-exported by the C shim).
    static var queryCapabilities: UInt { perch_vidioc_querycap() }
    static var enumerateFormats: UInt { perch_vidioc_enum_fmt() }
    static var enumerateSizes: UInt { perch_vidioc_enum_framesizes() }
    static var enumerateIntervals: UInt { perch_vidioc_enum_frameintervals() }
    static var getFormat: UInt { perch_vidioc_g_fmt() }
    static var setFormat: UInt { perch_vidioc_s_fmt() }
    static var getParameters: UInt { perch_vidioc_g_parm() }
    static var setParameters: UInt { perch_vidioc_s_parm() }
    static var requestBuffers: UInt { perch_vidioc_reqbufs() }
    static var queryBuffer: UInt { perch_vidioc_querybuf() }
    static var queueBuffer: UInt { perch_vidioc_qbuf() }
    static var dequeueBuffer: UInt { perch_vidioc_dqbuf() }
    static var streamOn: UInt { perch_vidioc_streamon() }
    static var streamOff: UInt { perch_vidioc_streamoff() }
    static var queryControl: UInt { perch_vidioc_queryctrl() }
    static var setControl: UInt { perch_vidioc_s_ctrl() }

    static let captureType = UInt32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
    static let memoryMap = UInt32(V4L2_MEMORY_MMAP.rawValue)

    /// YUYV is asked for as itself: the camera's own format when it has it, otherwise
    /// S_FMT answers with another fourcc and negotiation refuses.
    static func fourcc(_ format: PixelFormat) -> UInt32 {
        switch format {
        case .rgb24: return perch_v4l2_pix_fmt_rgb24()
        case .grey: return perch_v4l2_pix_fmt_grey()
        case .yuyv: return perch_v4l2_pix_fmt_yuyv()
        }
    }

    static func pixelFormat(fourcc: UInt32) -> PixelFormat? {
        for format in [PixelFormat.rgb24, .grey, .yuyv] where V4L2.fourcc(format) == fourcc { return format }
        return nil
    }

    /// "RGB3", "YUYV": a fourcc as text.
    static func fourccName(_ code: UInt32) -> String {
        var bytes: [UInt8] = []
        for shift in [0, 8, 16, 24] as [UInt32] {
            let byte = UInt8(truncatingIfNeeded: code >> shift)
            bytes.append(byte >= 32 && byte < 127 ? byte : 63)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A fixed-size C char array (driver names, format descriptions) as a String.
    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
