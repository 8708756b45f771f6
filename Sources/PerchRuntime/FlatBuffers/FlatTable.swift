/// One flatbuffer table whose vtable has been validated.
///
/// Construction checks that the table's `soffset_t`, its vtable and the table's inline
/// area all lie inside the buffer. Field reads then check the field's slot against the
/// vtable and the field's bytes against the table's inline size, so no read can leave
/// the buffer. `name` (e.g. "Tensor[3]") prefixes every error message.
struct FlatTable {
    let buffer: FlatBuffer
    let position: Int
    let name: String
    /// Absolute position of the vtable.
    private let vtable: Int
    /// Size of the vtable in bytes (including its own 4-byte header).
    private let vtableSize: Int
    /// Size of the table's inline data in bytes (including the 4-byte soffset).
    private let tableSize: Int

    init(buffer: FlatBuffer, position: Int, name: String) throws(ModelError) {
        let soffset = try buffer.read(position, as: Int32.self, what: name)
        // The vtable lives at position - soffset (it may come before or after the table).
        let (vt, overflow) = position.subtractingReportingOverflow(Int(soffset))
        guard !overflow, buffer.contains(vt, size: 4) else {
            throw ModelError.malformed(what: "vtable of " + name, offset: position)
        }
        let vtSize = Int(buffer.load(vt, as: UInt16.self))
        let tSize = Int(buffer.load(vt + 2, as: UInt16.self))
        guard vtSize >= 4, vtSize & 1 == 0, buffer.contains(vt, size: vtSize),
              tSize >= 4, buffer.contains(position, size: tSize) else {
            throw ModelError.malformed(what: "vtable of " + name, offset: vt)
        }
        self.buffer = buffer
        self.position = position
        self.name = name
        self.vtable = vt
        self.vtableSize = vtSize
        self.tableSize = tSize
    }

    private func fieldError(_ field: String, _ offset: Int) -> ModelError {
        ModelError.malformed(what: name + "." + field, offset: offset)
    }

    /// Absolute position of field `id` holding `size` bytes, or nil when the field is
    /// absent (so the schema default applies).
    func fieldPosition(_ id: Int, size: Int, field: String) throws(ModelError) -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let relative = Int(buffer.load(vtable + slot, as: UInt16.self))
        if relative == 0 { return nil }
        guard relative >= 4, size <= tableSize - relative else {
            throw fieldError(field, vtable + slot)
        }
        return position + relative
    }

    // MARK: Scalars

    func integer<T: FixedWidthInteger>(_ id: Int, _ type: T.Type, default value: T,
                                       field: String) throws(ModelError) -> T {
        guard let at = try fieldPosition(id, size: MemoryLayout<T>.size, field: field) else { return value }
        return buffer.load(at, as: T.self)
    }

    func bool(_ id: Int, default value: Bool, field: String) throws(ModelError) -> Bool {
        try integer(id, UInt8.self, default: value ? 1 : 0, field: field) != 0
    }

    func float(_ id: Int, default value: Float, field: String) throws(ModelError) -> Float {
        let bits = try integer(id, UInt32.self, default: value.bitPattern, field: field)
        return Float(bitPattern: bits)
    }

    // MARK: References

    /// Absolute position of the object an offset field points at, or nil when absent.
    private func reference(_ id: Int, field: String) throws(ModelError) -> Int? {
        guard let at = try fieldPosition(id, size: 4, field: field) else { return nil }
        return try buffer.followOffset(at: at, what: name + "." + field)
    }

    /// A sub-table; `childName` names it in later errors (defaults to "Parent.field").
    func table(_ id: Int, field: String, childName: String? = nil) throws(ModelError) -> FlatTable? {
        guard let target = try reference(id, field: field) else { return nil }
        return try FlatTable(buffer: buffer, position: target, name: childName ?? (name + "." + field))
    }

    /// A vector whose elements are `elementSize` bytes each (4 for offsets to tables).
    func vector(_ id: Int, elementSize: Int, field: String) throws(ModelError) -> FlatVector? {
        guard let target = try reference(id, field: field) else { return nil }
        return try FlatVector(buffer: buffer, position: target, elementSize: elementSize,
                              name: name + "." + field)
    }

    /// A string: a byte vector that must be followed by its NUL terminator.
    /// Invalid UTF-8 is repaired (names are only shown to people).
    func string(_ id: Int, field: String) throws(ModelError) -> String? {
        guard let bytes = try vector(id, elementSize: 1, field: field) else { return nil }
        return try bytes.stringValue()
    }
}
