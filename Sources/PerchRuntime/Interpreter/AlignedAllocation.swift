/// Alignment of the model copy, every arena offset and the arena itself: 16 bytes, what
/// SIMD loads want and what the schema's `force_align: 16` on buffer data assumes.
let tensorAlignment = 16

/// A zero-filled, 16-byte-aligned block of memory freed when the last owner lets go.
/// Owning memory through an object keeps `deinit` the single place it is freed.
final class AlignedAllocation {
    let pointer: UnsafeMutableRawPointer
    let count: Int

    init(count: Int) {
        self.count = max(0, count)
        // Never ask for 0 bytes, so the pointer is always a real allocation.
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(self.count, tensorAlignment),
                                                   alignment: tensorAlignment)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: max(self.count, tensorAlignment))
    }

    convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            pointer.copyMemory(from: source, byteCount: bytes.count)
        }
    }

    deinit {
        pointer.deallocate()
    }
}

/// `value` rounded up to a multiple of `alignment` (a power of two); nil on overflow.
func alignUp(_ value: Int, _ alignment: Int = tensorAlignment) -> Int? {
    let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
    return overflow ? nil : sum & ~(alignment - 1)
}
