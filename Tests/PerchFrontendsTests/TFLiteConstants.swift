/// Just enough flatbuffer reading to pull named constant tensors out of a .tflite file, to
/// compare the tables Perch computes with those TFLM's Python stored in the model.
struct TFLiteConstants {
    let bytes: [UInt8]
    var tensors: [String: [UInt8]] = [:]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let model = table(at: u32(0))
        let buffers = vector(model, field: 4)
        let subgraph = table(at: vector(model, field: 2)[0])
        for t in vector(subgraph, field: 0) {
            let tensor = table(at: t)
            guard let nameAt = indirect(tensor, field: 3), let bufferIndex = scalar32(tensor, field: 2) else { continue }
            let nameLength = u32(nameAt)
            let name = String(decoding: bytes[(nameAt + 4)..<(nameAt + 4 + nameLength)], as: UTF8.self)
            let buffer = table(at: buffers[bufferIndex])
            guard let dataAt = indirect(buffer, field: 0) else { continue }
            let count = u32(dataAt)
            tensors[name] = Array(bytes[(dataAt + 4)..<(dataAt + 4 + count)])
        }
    }

    func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
    func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func table(at: Int) -> Int { at }
    func fieldOffset(_ table: Int, _ field: Int) -> Int? {
        let vtable = table - Int(Int32(truncatingIfNeeded: u32(table)))
        let entry = 4 + 2 * field
        guard entry < u16(vtable) else { return nil }
        let offset = u16(vtable + entry)
        return offset == 0 ? nil : table + offset
    }
    func indirect(_ table: Int, field: Int) -> Int? {
        guard let at = fieldOffset(table, field) else { return nil }
        return at + u32(at)
    }
    func scalar32(_ table: Int, field: Int) -> Int? {
        fieldOffset(table, field).map { u32($0) }
    }
    func vector(_ table: Int, field: Int) -> [Int] {
        guard let at = indirect(table, field: field) else { return [] }
        return (0..<u32(at)).map { i in let p = at + 4 + 4 * i; return p + u32(p) }
    }

    func int16s(_ name: String) -> [Int16]? {
        guard let b = tensors[name] else { return nil }
        return stride(from: 0, to: b.count, by: 2).map { Int16(bitPattern: UInt16(b[$0]) | UInt16(b[$0 + 1]) << 8) }
    }
}
