import CPerchV4L2
import PerchSystem

/// The V4L2 structs the camera passes to the driver, as Swift and the C compiler lay them out.
public enum V4L2StructLayouts {
    public static var all: [StructLayout] {
        [StructLayout("v4l2_format", swift: MemoryLayout<v4l2_format>.size, c: Int(perch_sizeof_v4l2_format())),
         StructLayout("v4l2_buffer", swift: MemoryLayout<v4l2_buffer>.size, c: Int(perch_sizeof_v4l2_buffer())),
         StructLayout("v4l2_buffer.m offset", swift: offsetOfBufferUnion(), c: Int(perch_offsetof_v4l2_buffer_m())),
         StructLayout("v4l2_capability", swift: MemoryLayout<v4l2_capability>.size, c: Int(perch_sizeof_v4l2_capability()))]
    }
}

/// Where Swift places `v4l2_buffer.m` (no key paths in embedded mode, so by address).
private func offsetOfBufferUnion() -> Int {
    var buffer = v4l2_buffer()
    return withUnsafeMutablePointer(to: &buffer) { base in
        withUnsafeMutablePointer(to: &base.pointee.m) { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
    }
}
