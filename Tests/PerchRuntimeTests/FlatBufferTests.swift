import XCTest
@testable import PerchRuntime

// MARK: - A small flatbuffer writer for tests

/// A flatbuffer value to serialize. Tables map field ids to fields.
indirect enum FBValue {
    case table([Int: FBField])
    case tables([FBValue])
    case int32s([Int32])
    case int64s([Int64])
    case floats([Float])
    case bytes([UInt8])
    case string(String)
}

enum FBField {
    case i8(Int8), u8(UInt8), bool(Bool), i32(Int32), u32(UInt32), u64(UInt64), f32(Float)
    case ref(FBValue)
}

/// Writes front to back: every child lands after the offset that points at it (so all
/// `uoffset_t`s are positive), each vtable right before its table.
struct FBWriter {
    private(set) var bytes: [UInt8] = []

    /// A complete buffer: root offset, 4-byte identifier, root table.
    static func build(_ root: FBValue, identifier: String = "TFL3") -> [UInt8] {
        var w = FBWriter()
        w.bytes = [0, 0, 0, 0] + Array(identifier.utf8.prefix(4))
        while w.bytes.count < 8 { w.bytes.append(0) }
        let rootPosition = w.write(root)
        w.patch(at: 0, UInt32(rootPosition))
        return w.bytes
    }

    private mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
    private mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
    private mutating func patch(at position: Int, _ v: UInt32) {
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<4 { bytes[position + i] = $0[i] } }
    }

    /// Writes `value`; returns the position an offset must point at.
    mutating func write(_ value: FBValue) -> Int {
        switch value {
        case .table(let fields): return writeTable(fields)
        case .tables(let items):
            pad(to: 4)
            let start = bytes.count
            append(UInt32(items.count))
            for _ in items { append(UInt32(0)) }
            for (i, item) in items.enumerated() {
                let slot = start + 4 + 4 * i
                let target = write(item)
                patch(at: slot, UInt32(target - slot))
            }
            return start
        case .int32s(let v): return writeVector(v.count, 4) { w in for x in v { w.append(x) } }
        case .int64s(let v): return writeVector(v.count, 8) { w in for x in v { w.append(x) } }
        case .floats(let v): return writeVector(v.count, 4) { w in for x in v { w.append(x.bitPattern) } }
        case .bytes(let v): return writeVector(v.count, 16) { w in w.bytes += v }
        case .string(let s):
            let utf8 = Array(s.utf8)
            return writeVector(utf8.count, 4) { w in w.bytes += utf8; w.bytes.append(0) }
        }
    }

    /// Length then elements, with the elements aligned to `alignment`.
    private mutating func writeVector(_ count: Int, _ alignment: Int, _ body: (inout FBWriter) -> Void) -> Int {
        while (bytes.count + 4) % alignment != 0 { bytes.append(0) }
        let start = bytes.count
        append(UInt32(count))
        body(&self)
        return start
    }

    private mutating func writeTable(_ fields: [Int: FBField]) -> Int {
        let ids = fields.keys.sorted()
        let slots = (ids.last ?? -1) + 1
        // Inline layout: soffset, then 8 bytes per present field (simple, and alignment-safe).
        var fieldOffsets: [Int: Int] = [:]
        for (k, id) in ids.enumerated() { fieldOffsets[id] = 4 + 8 * k }
        let tableSize = 4 + 8 * ids.count
        pad(to: 2)
        if (bytes.count + 4 + 2 * slots) % 4 != 0 { append(UInt16(0)) }
        let vtable = bytes.count
        append(UInt16(4 + 2 * slots))
        append(UInt16(tableSize))
        for id in 0..<slots { append(UInt16(fieldOffsets[id] ?? 0)) }
        let table = bytes.count
        append(Int32(table - vtable))
        var references: [(Int, FBValue)] = []
        for id in ids {
            let position = bytes.count
            switch fields[id]! {
            case .i8(let v): append(v)
            case .u8(let v): append(v)
            case .bool(let v): append(UInt8(v ? 1 : 0))
            case .i32(let v): append(v)
            case .u32(let v): append(v)
            case .u64(let v): append(v)
            case .f32(let v): append(v.bitPattern)
            case .ref(let child): append(UInt32(0)); references.append((position, child))
            }
            while bytes.count < position + 8 { bytes.append(0) }
        }
        for (slot, child) in references {
            let target = write(child)
            patch(at: slot, UInt32(target - slot))
        }
        return table
    }
}

// MARK: - Reader tests

final class FlatBufferTests: XCTestCase {
    private func withBuffer<R>(_ bytes: [UInt8], _ body: (FlatBuffer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(FlatBuffer(base: $0.baseAddress!, count: $0.count)) }
    }

    private func expectMalformed(_ bytes: [UInt8], containing fragment: String? = nil,
                                 file: StaticString = #filePath, line: UInt = #line,
                                 _ body: (FlatBuffer) throws(ModelError) -> Void) {
        withBuffer(bytes) { fb in
            do throws(ModelError) {
                try body(fb)
                XCTFail("expected a malformed error", file: file, line: line)
            } catch {
                guard case .malformed(let what, _) = error else {
                    return XCTFail("expected .malformed, got \(error.description)", file: file, line: line)
                }
                if let fragment { XCTAssertTrue(what.contains(fragment), "\(what)", file: file, line: line) }
            }
        }
    }

    private let sample = FBWriter.build(.table([
        0: .i32(-7),
        1: .ref(.string("hello")),
        2: .ref(.int32s([1, 2, 3])),
        3: .ref(.tables([.table([0: .u8(9)]), .table([:])])),
        4: .f32(1.5),
        5: .bool(true),
        7: .ref(.table([1: .i8(-3)])),
    ]))

    func testReadsScalarsStringsVectorsAndTables() throws {
        try withBuffer(sample) { fb in
            XCTAssertEqual(fb.identifier, Array("TFL3".utf8))
            let root = try fb.root(name: "Root")
            XCTAssertEqual(try root.integer(0, Int32.self, default: 0, field: "a"), -7)
            XCTAssertEqual(try root.string(1, field: "s"), "hello")
            let v = try XCTUnwrap(root.vector(2, elementSize: 4, field: "v"))
            XCTAssertEqual(v.integers(as: Int32.self), [1, 2, 3])
            let tables = try XCTUnwrap(root.vector(3, elementSize: 4, field: "t"))
            XCTAssertEqual(tables.count, 2)
            XCTAssertEqual(try tables.table(0, name: "T[0]").integer(0, UInt8.self, default: 0, field: "x"), 9)
            XCTAssertEqual(try tables.table(1, name: "T[1]").integer(0, UInt8.self, default: 42, field: "x"), 42)
            XCTAssertEqual(try root.float(4, default: 0, field: "f"), 1.5)
            XCTAssertTrue(try root.bool(5, default: false, field: "b"))
            // Field 6 is absent (zero in the vtable), field 20 lies beyond the vtable: defaults.
            XCTAssertEqual(try root.integer(6, Int32.self, default: 5, field: "absent"), 5)
            XCTAssertEqual(try root.integer(20, Int32.self, default: 6, field: "beyond"), 6)
            XCTAssertNil(try root.string(6, field: "absent"))
            let child = try XCTUnwrap(root.table(7, field: "child"))
            XCTAssertEqual(try child.integer(1, Int8.self, default: 0, field: "c"), -3)
        }
    }

    func testTooShortFileIsMalformed() {
        expectMalformed([0x08, 0, 0]) { fb throws(ModelError) in _ = try fb.root(name: "Model") }
        expectMalformed([]) { fb throws(ModelError) in _ = try fb.root(name: "Model") }
    }

    func testRootOffsetPastTheEndIsMalformed() {
        var bytes = sample
        bytes[0] = 0xF0; bytes[1] = 0xFF; bytes[2] = 0xFF; bytes[3] = 0x7F
        expectMalformed(bytes, containing: "root offset") { fb throws(ModelError) in _ = try fb.root(name: "Model") }
        bytes[0] = 0; bytes[1] = 0; bytes[2] = 0; bytes[3] = 0
        expectMalformed(bytes, containing: "root offset") { fb throws(ModelError) in _ = try fb.root(name: "Model") }
    }

    /// Position of the root table and of its vtable in `sample`.
    private func rootPositions() -> (table: Int, vtable: Int) {
        let table = Int(sample[0]) | Int(sample[1]) << 8
        let soffset = sample[table..<table + 4].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
        return (table, table - Int(soffset))
    }

    func testVtableOutOfRangeIsMalformed() {
        let (table, _) = rootPositions()
        for soffset: Int32 in [Int32.max, Int32.min, -100_000, Int32(table + 1)] {
            var bytes = sample
            withUnsafeBytes(of: soffset.littleEndian) { for i in 0..<4 { bytes[table + i] = $0[i] } }
            expectMalformed(bytes, containing: "vtable of Model") { fb throws(ModelError) in _ = try fb.root(name: "Model") }
        }
    }

    func testVtableSizesPastTheEndAreMalformed() {
        let (_, vtable) = rootPositions()
        var bytes = sample
        bytes[vtable] = 0xFF; bytes[vtable + 1] = 0xFF  // vtable size 65535
        expectMalformed(bytes, containing: "vtable of Model") { fb throws(ModelError) in _ = try fb.root(name: "Model") }
        bytes = sample
        bytes[vtable + 2] = 0xFF; bytes[vtable + 3] = 0xFF  // table size 65535
        expectMalformed(bytes, containing: "vtable of Model") { fb throws(ModelError) in _ = try fb.root(name: "Model") }
        bytes = sample
        bytes[vtable] = 3; bytes[vtable + 1] = 0  // vtable smaller than its header
        expectMalformed(bytes, containing: "vtable of Model") { fb throws(ModelError) in _ = try fb.root(name: "Model") }
    }

    func testFieldOffsetOutsideTheTableIsMalformed() {
        let (_, vtable) = rootPositions()
        var bytes = sample
        bytes[vtable + 4] = 0xF0; bytes[vtable + 5] = 0x00  // field 0 at +240, beyond the inline size
        expectMalformed(bytes, containing: "Model.a") { fb throws(ModelError) in
            _ = try fb.root(name: "Model").integer(0, Int32.self, default: 0, field: "a")
        }
    }

    func testVectorLengthPastTheEndIsMalformed() throws {
        let vectorStart: Int = try withBuffer(sample) { fb in
            try XCTUnwrap(fb.root(name: "Model").vector(2, elementSize: 4, field: "v")).start - 4
        }
        for length: UInt32 in [UInt32.max, 1 << 30, UInt32(sample.count)] {
            var bytes = sample
            withUnsafeBytes(of: length.littleEndian) { for i in 0..<4 { bytes[vectorStart + i] = $0[i] } }
            expectMalformed(bytes, containing: "Model.v") { fb throws(ModelError) in
                _ = try fb.root(name: "Model").vector(2, elementSize: 4, field: "v")
            }
        }
    }

    func testStringWithoutTerminatorIsMalformed() throws {
        let start: Int = try withBuffer(sample) { fb in
            try XCTUnwrap(fb.root(name: "Model").vector(1, elementSize: 1, field: "s")).start
        }
        var bytes = sample
        bytes[start + 5] = UInt8(ascii: "!")  // overwrite the NUL after "hello"
        expectMalformed(bytes, containing: "terminator") { fb throws(ModelError) in
            _ = try fb.root(name: "Model").string(1, field: "s")
        }
        // A string whose terminator would be the byte after the buffer.
        let end = Array(bytes[..<(start + 5)])
        expectMalformed(end) { fb throws(ModelError) in _ = try fb.root(name: "Model").string(1, field: "s") }
    }

    func testInvalidUTF8IsRepairedNotRejected() throws {
        let bytes = FBWriter.build(.table([0: .ref(.string("ab"))]))
        var patched = bytes
        let index = try XCTUnwrap(patched.firstIndex(of: UInt8(ascii: "a")))
        patched[index] = 0xFF
        try withBuffer(patched) { fb in
            XCTAssertEqual(try fb.root(name: "R").string(0, field: "s"), "\u{FFFD}b")
        }
    }

    func testTableOffsetPointingOutsideIsMalformed() throws {
        let bytes = FBWriter.build(.table([0: .ref(.table([0: .i32(1)]))]))
        let (fieldPos): Int = try withBuffer(bytes) { fb in
            try XCTUnwrap(fb.root(name: "R").fieldPosition(0, size: 4, field: "child"))
        }
        var patched = bytes
        patched[fieldPos] = 0xFF; patched[fieldPos + 1] = 0xFF; patched[fieldPos + 2] = 0xFF; patched[fieldPos + 3] = 0xFF
        expectMalformed(patched, containing: "R.child") { fb throws(ModelError) in
            _ = try fb.root(name: "R").table(0, field: "child")
        }
    }

    /// Every truncation of a valid buffer either reads or fails cleanly.
    func testEveryTruncationFailsCleanly() {
        for length in 0..<sample.count {
            let bytes = Array(sample[..<length])
            withBuffer(bytes.isEmpty ? [0] : bytes) { fb in
                let fb = FlatBuffer(base: fb.base, count: length)
                do throws(ModelError) {
                    let root = try fb.root(name: "Root")
                    _ = try root.string(1, field: "s")
                    _ = try root.vector(2, elementSize: 4, field: "v")
                    if let t = try root.vector(3, elementSize: 4, field: "t") {
                        for i in 0..<t.count { _ = try t.table(i, name: "T") }
                    }
                } catch {
                    guard case .malformed = error else { return XCTFail(error.description) }
                }
            }
        }
    }
}
