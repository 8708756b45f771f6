/// A read-only view of a flatbuffer in memory that the caller keeps alive.
///
/// Every read is bounds-checked against `count` before it touches memory, so a hostile
/// file can only produce `ModelError.malformed`, never an out-of-range access or a trap.
/// Flatbuffers are little-endian; Perch only runs on little-endian targets, so the
/// loads below are plain unaligned loads.
struct FlatBuffer {
    let base: UnsafeRawPointer
    let count: Int

    init(base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = max(0, count)
    }

    /// True when `size` bytes starting at `offset` lie inside the buffer.
    @inline(__always)
    func contains(_ offset: Int, size: Int) -> Bool {
        offset >= 0 && size >= 0 && offset <= count && size <= count &- offset
    }

    /// Unchecked load; callers verify the range with `contains` first.
    @inline(__always)
    func load<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        base.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    /// A bounds-checked integer load; `what` names the field for the error.
    func read<T: FixedWidthInteger>(_ offset: Int, as type: T.Type, what: String) throws(ModelError) -> T {
        guard contains(offset, size: MemoryLayout<T>.size) else {
            throw ModelError.malformed(what: what, offset: offset)
        }
        return load(offset, as: T.self)
    }

    /// Follows a `uoffset_t` stored at `offset` (it is relative to its own position).
    func followOffset(at offset: Int, what: String) throws(ModelError) -> Int {
        let relative = try read(offset, as: UInt32.self, what: what)
        // Int(exactly:) keeps a 32-bit target from trapping on offsets above Int32.max.
        let (target, overflow) = offset.addingReportingOverflow(Int(exactly: relative) ?? Int.max)
        // An offset of 0 would point at itself; it is never valid for a table/vector.
        guard !overflow, relative != 0, target < count else {
            // Past the end is what a truncated copy looks like: say so, with the size.
            let past = overflow || target >= count
            throw ModelError.malformed(what: what + (past ? " points past the end of the " + String(count)
                                                             + "-byte file (truncated?)" : ""), offset: offset)
        }
        return target
    }

    /// The root table. The first four bytes are the root `uoffset_t`; bytes 4..<8 may
    /// hold a file identifier, which the caller checks with `identifier`.
    func root(name: String) throws(ModelError) -> FlatTable {
        guard count >= 8 else {
            throw ModelError.malformed(what: "file too short for a flatbuffer (\(count) bytes)", offset: 0)
        }
        let position = try followOffset(at: 0, what: "root offset of " + name)
        return try FlatTable(buffer: self, position: position, name: name)
    }

    /// The four-byte file identifier (e.g. "TFL3"), or nil if the file is too short.
    var identifier: [UInt8]? {
        guard contains(4, size: 4) else { return nil }
        return [load(4, as: UInt8.self), load(5, as: UInt8.self),
                load(6, as: UInt8.self), load(7, as: UInt8.self)]
    }
}
