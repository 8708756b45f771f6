/// A flatbuffer vector whose length has been checked against the buffer: all
/// `count * elementSize` bytes lie inside it, so element reads by a valid index are safe.
struct FlatVector {
    let buffer: FlatBuffer
    /// Absolute position of the first element (just past the 4-byte length).
    let start: Int
    let count: Int
    let elementSize: Int
    let name: String

    init(buffer: FlatBuffer, position: Int, elementSize: Int, name: String) throws(ModelError) {
        precondition(elementSize >= 1)
        let length = try buffer.read(position, as: UInt32.self, what: name + " (vector length)")
        let (bytes, overflow) = (Int(exactly: length) ?? Int.max).multipliedReportingOverflow(by: elementSize)
        guard !overflow, buffer.contains(position + 4, size: bytes) else {
            throw ModelError.malformed(what: name + " (vector of \(length) elements runs past the end)",
                                       offset: position)
        }
        self.buffer = buffer
        self.start = position + 4
        // elementSize >= 1 and the byte count fits, so the length fits in Int.
        self.count = Int(truncatingIfNeeded: length)
        self.elementSize = elementSize
        self.name = name
    }

    var byteCount: Int { count * elementSize }

    @inline(__always)
    private func elementPosition(_ index: Int) -> Int {
        precondition(index >= 0 && index < count, "flatbuffer vector index out of range")
        return start + index * elementSize
    }

    /// Element `index` read as `T`; `T` must not be wider than `elementSize`.
    func element<T: FixedWidthInteger>(_ index: Int, as type: T.Type) -> T {
        precondition(MemoryLayout<T>.size <= elementSize)
        return buffer.load(elementPosition(index), as: T.self)
    }

    func float(_ index: Int) -> Float {
        Float(bitPattern: element(index, as: UInt32.self))
    }

    /// The table element `index` points at (vectors of tables hold `uoffset_t`s).
    func table(_ index: Int, name childName: String) throws(ModelError) -> FlatTable {
        let target = try buffer.followOffset(at: elementPosition(index), what: childName)
        return try FlatTable(buffer: buffer, position: target, name: childName)
    }

    /// All elements as `Int`s, converting from the stored width `T`.
    func integers<T: FixedWidthInteger>(as type: T.Type) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        for i in 0..<count { result.append(Int(element(i, as: T.self))) }
        return result
    }

    func floats() -> [Float] {
        var result: [Float] = []
        result.reserveCapacity(count)
        for i in 0..<count { result.append(float(i)) }
        return result
    }

    /// The bytes as a string; the byte after the last one must be the NUL terminator.
    func stringValue() throws(ModelError) -> String {
        guard elementSize == 1, buffer.contains(start + count, size: 1),
              buffer.load(start + count, as: UInt8.self) == 0 else {
            throw ModelError.malformed(what: name + " (string without NUL terminator)", offset: start - 4)
        }
        let bytes = UnsafeRawBufferPointer(start: buffer.base + start, count: count)
        return String(decoding: bytes, as: UTF8.self)
    }
}
