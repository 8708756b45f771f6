import Foundation
import XCTest
@testable import PerchRuntime

// MARK: - Hand-built TFLite models

/// A TFLite model described field by field, serialized with `FBWriter`.
struct TestModel {
    struct TensorSpec {
        var name = "t"
        var shape: [Int32]
        var type: Int8 = 9  // INT8
        var buffer: UInt32 = 0
        var scales: [Float]? = [0.5]
        var zeroPoints: [Int64]? = [0]
        var quantizedDimension: Int32? = nil
        var isVariable = false
    }
    struct OperatorSpec {
        var opcode: UInt32
        var inputs: [Int32]
        var outputs: [Int32]
        var optionsType: UInt8? = nil
        var options: [Int: FBField]? = nil
    }
    struct CodeSpec {
        var deprecated: Int8
        var builtin: Int32? = nil
        var custom: String? = nil
    }
    struct BufferSpec {
        var data: [UInt8] = []
        var offset: UInt64? = nil
        var size: UInt64? = nil
    }

    var version: UInt32 = 3
    var codes: [CodeSpec]
    var buffers: [BufferSpec]
    var tensors: [TensorSpec]
    var inputs: [Int32]
    var outputs: [Int32]
    var operators: [OperatorSpec]
    var identifier = "TFL3"

    /// input [1,4] int8 -> FULLY_CONNECTED(weights [3,4], bias [3]) -> [1,3] -> SOFTMAX -> [1,3].
    static func fullyConnectedSoftmax() -> TestModel {
        TestModel(
            codes: [CodeSpec(deprecated: 9), CodeSpec(deprecated: 25)],
            buffers: [BufferSpec(), BufferSpec(data: [UInt8](repeating: 1, count: 12)),
                      BufferSpec(data: [UInt8](repeating: 0, count: 12))],
            tensors: [TensorSpec(name: "input", shape: [1, 4]),
                      TensorSpec(name: "weights", shape: [3, 4], buffer: 1),
                      TensorSpec(name: "bias", shape: [3], type: 2, buffer: 2, scales: [0.25]),  // input × weight scale
                      TensorSpec(name: "logits", shape: [1, 3]),
                      TensorSpec(name: "probabilities", shape: [1, 3], scales: [1.0 / 256], zeroPoints: [-128])],
            inputs: [0], outputs: [4],
            operators: [OperatorSpec(opcode: 0, inputs: [0, 1, 2], outputs: [3], optionsType: 8, options: [0: .i8(0)]),
                        OperatorSpec(opcode: 1, inputs: [3], outputs: [4], optionsType: 9, options: [0: .f32(1)])])
    }

    func bytes() -> [UInt8] {
        func tensorTable(_ t: TensorSpec) -> FBValue {
            var fields: [Int: FBField] = [0: .ref(.int32s(t.shape)), 1: .i8(t.type), 2: .u32(t.buffer),
                                          3: .ref(.string(t.name)), 5: .bool(t.isVariable)]
            var q: [Int: FBField] = [:]
            if let s = t.scales { q[2] = .ref(.floats(s)) }
            if let z = t.zeroPoints { q[3] = .ref(.int64s(z)) }
            if let d = t.quantizedDimension { q[6] = .i32(d) }
            if !q.isEmpty { fields[4] = .ref(.table(q)) }
            return .table(fields)
        }
        func operatorTable(_ op: OperatorSpec) -> FBValue {
            var fields: [Int: FBField] = [0: .u32(op.opcode), 1: .ref(.int32s(op.inputs)), 2: .ref(.int32s(op.outputs))]
            if let t = op.optionsType { fields[3] = .u8(t) }
            if let o = op.options { fields[4] = .ref(.table(o)) }
            return .table(fields)
        }
        func codeTable(_ c: CodeSpec) -> FBValue {
            var fields: [Int: FBField] = [0: .i8(c.deprecated), 2: .i32(1)]
            if let b = c.builtin { fields[3] = .i32(b) }
            if let name = c.custom { fields[1] = .ref(.string(name)) }
            return .table(fields)
        }
        func bufferTable(_ b: BufferSpec) -> FBValue {
            var fields: [Int: FBField] = [:]
            if !b.data.isEmpty { fields[0] = .ref(.bytes(b.data)) }
            if let o = b.offset { fields[1] = .u64(o) }
            if let s = b.size { fields[2] = .u64(s) }
            return .table(fields)
        }
        let subgraph = FBValue.table([0: .ref(.tables(tensors.map(tensorTable))), 1: .ref(.int32s(inputs)),
                                      2: .ref(.int32s(outputs)), 3: .ref(.tables(operators.map(operatorTable))),
                                      4: .ref(.string("main"))])
        return FBWriter.build(.table([0: .u32(version), 1: .ref(.tables(codes.map(codeTable))),
                                      2: .ref(.tables([subgraph])), 4: .ref(.tables(buffers.map(bufferTable)))]),
                              identifier: identifier)
    }
}

/// Loads `bytes` and returns the error, failing when loading succeeds.
func loadError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ModelError? {
    do {
        _ = try LoadedModel(modelBytes: bytes)
        XCTFail("the model loaded but should not have", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

final class ModelLoaderTests: XCTestCase {
    // MARK: Hand-built models

    func testHandBuiltModelLoadsAndPlans() throws {
        let bytes = TestModel.fullyConnectedSoftmax().bytes()
        let model = try LoadedModel(modelBytes: bytes)
        XCTAssertEqual(model.tensorCount, 5)
        XCTAssertEqual(model.operatorCount, 2)
        XCTAssertEqual(model.operatorCounts.map(\.name), ["FULLY_CONNECTED", "SOFTMAX"])
        XCTAssertEqual(model.multiplyAccumulates, 3 * 4)
        // input (16) and logits (16) live together, then logits and probabilities: 32 bytes.
        XCTAssertEqual(model.arenaBytes, 32)

        let summary = model.summary
        XCTAssertEqual(summary.inputs.map(\.name), ["input"])
        XCTAssertEqual(summary.outputs.first?.shape, [1, 3])
        XCTAssertEqual(summary.outputs.first?.zeroPoint, -128)
        XCTAssertEqual(summary.outputs.first?.scale, 1.0 / 256)
        XCTAssertEqual(summary.outputs.first?.shapeDescription, "[1, 3]")
        XCTAssertEqual(summary.constantBytes, 24)

        let arena = AlignedAllocation(count: model.arenaBytes)
        let tensors = model.resolveTensors(arena: arena.pointer)
        XCTAssertTrue(tensors[1].isConstant)
        XCTAssertFalse(tensors[0].isConstant)
        XCTAssertEqual(tensors[1].data.load(as: UInt8.self), 1)
        XCTAssertEqual(Int(bitPattern: tensors[2].data) % 4, 0, "int32 bias must be aligned")
        for t in [0, 3, 4] {
            let offset = tensors[t].data - arena.pointer
            XCTAssertTrue(offset >= 0 && offset + tensors[t].byteCount <= model.arenaBytes)
            XCTAssertEqual(offset % 16, 0)
        }
        XCTAssertNotEqual(tensors[0].data, tensors[3].data)
        XCTAssertNotEqual(tensors[3].data, tensors[4].data)
    }

    func testInterpreterOwnsMemoryAndExposesInputs() throws {
        let bytes = TestModel.fullyConnectedSoftmax().bytes()
        do {
            let interpreter = try Interpreter(modelBytes: bytes)
            XCTAssertEqual(interpreter.input(0).count, 4)
            XCTAssertEqual(interpreter.output(0).count, 3)
            XCTAssertEqual(Int(bitPattern: interpreter.input(0).baseAddress) % 16, 0)
        } catch {
            // Until FULLY_CONNECTED and SOFTMAX kernels exist this is the expected failure.
            guard case .unsupportedOperator = error else { return XCTFail(error.description) }
        }
    }

    func testWrongIdentifierAndVersionAreRejected() {
        var m = TestModel.fullyConnectedSoftmax()
        m.identifier = "XXXX"
        XCTAssertTrue(loadError(m.bytes())?.description.contains("TFL3") ?? false)
        m = TestModel.fullyConnectedSoftmax()
        m.version = 2
        XCTAssertTrue(loadError(m.bytes())?.description.contains("schema version 2") ?? false)
    }

    func testBufferIndexOutOfRange() {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors[1].buffer = 7
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("Tensor[1] 'weights' refers to buffer 7"), message)
    }

    func testConstantBufferSmallerThanShape() {
        var m = TestModel.fullyConnectedSoftmax()
        m.buffers[2].data = [UInt8](repeating: 0, count: 8)  // bias needs 3 x int32 = 12 bytes
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("'bias'") && message.contains("needs 12 bytes"), message)
    }

    func testTensorIndexOutOfRangeInOperatorAndSubgraph() {
        var m = TestModel.fullyConnectedSoftmax()
        m.operators[1].inputs = [99]
        var message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("Operator[1] (SOFTMAX).inputs[0] is tensor 99"), message)
        m = TestModel.fullyConnectedSoftmax()
        m.outputs = [5]
        message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("SubGraph[0].outputs[0] is tensor 5"), message)
        m = TestModel.fullyConnectedSoftmax()
        m.inputs = [-1]
        message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("SubGraph[0].inputs[0] is tensor -1"), message)
    }

    func testOptionalOperatorInputIsAllowed() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.operators[0].inputs = [0, 1, -1]
        let model = try LoadedModel(modelBytes: m.bytes())
        XCTAssertEqual(model.graph.operators[0].inputs, [0, 1, -1])
    }

    func testNegativeDimensionIsRejected() {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors[3].shape = [1, -1]
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("'logits' has a negative dimension"), message)
    }

    func testStringAndUnknownTypesAreRejected() {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors[3].type = 5  // STRING
        guard case .unsupportedType(let s)? = loadError(m.bytes()) else { return XCTFail() }
        XCTAssertTrue(s.contains("'logits'") && s.contains("string"), s)
        m.tensors[3].type = 17  // INT4
        guard case .unsupportedType(let s2)? = loadError(m.bytes()) else { return XCTFail() }
        XCTAssertTrue(s2.contains("INT4"), s2)
    }

    func testTooLargeIntermediateFailsCleanly() {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors[3].shape = [1 << 30, 1 << 30, 1 << 30]
        XCTAssertNotNil(loadError(m.bytes()))
        m.tensors[3].shape = [1 << 20, 1 << 10]  // 1 GiB > default arena limit
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("arena limit"), message)
    }

    func testReadingATensorBeforeItIsProducedIsRejected() {
        var m = TestModel.fullyConnectedSoftmax()
        m.operators.swapAt(0, 1)
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("before any operator produces it"), message)
    }

    func testWritingAConstantIsRejected() {
        var m = TestModel.fullyConnectedSoftmax()
        m.operators[1].outputs = [1]
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("holds constant data"), message)
    }

    func testEffectiveOperatorCodeIsMaxOfBothFields() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.codes[0] = .init(deprecated: 127, builtin: 150)   // code >= 127: the byte holds the placeholder
        m.codes[1] = .init(deprecated: 25, builtin: 0)      // old writer: only the byte
        m.operators[0].optionsType = nil
        m.operators[0].options = nil
        var model = try LoadedModel(modelBytes: m.bytes())
        XCTAssertEqual(model.operatorCounts.map(\.name), ["GELU", "SOFTMAX"])
        m.codes[0] = .init(deprecated: 126, builtin: 126)
        model = try LoadedModel(modelBytes: m.bytes())
        XCTAssertEqual(model.operatorCounts.map(\.name), ["BATCH_MATMUL", "SOFTMAX"])
    }

    func testCustomOperatorIsNamedByItsCustomCode() {
        var m = TestModel.fullyConnectedSoftmax()
        m.codes[1] = .init(deprecated: 32, custom: "SignalWindow")
        m.operators[1].optionsType = nil
        m.operators[1].options = nil
        XCTAssertEqual(try LoadedModel(modelBytes: m.bytes()).operatorCounts.map(\.name),
                       ["FULLY_CONNECTED", "CUSTOM(SignalWindow)"])
        do {
            _ = try Interpreter(modelBytes: m.bytes())
            XCTFail("a custom operator cannot run")
        } catch {
            // Node 0 may fail first while FULLY_CONNECTED has no kernel.
            guard case .unsupportedOperator(let name, let node) = error else { return XCTFail(error.description) }
            if node == 1 { XCTAssertEqual(name, "CUSTOM(SignalWindow)") }
            XCTAssertTrue(error.description.contains("unsupported operator"))
        }
    }

    func testUnknownBuiltinIsNamedFromTheSchema() {
        var m = TestModel.fullyConnectedSoftmax()
        m.codes = [.init(deprecated: 42)]  // DIV
        m.operators = [.init(opcode: 0, inputs: [0, 0], outputs: [3])]
        m.tensors[3].shape = [1, 4]
        m.outputs = [3]
        do {
            _ = try Interpreter(modelBytes: m.bytes())
            XCTFail("DIV has no kernel")
        } catch {
            XCTAssertEqual(error, .unsupportedOperator(name: "DIV", nodeIndex: 0))
        }
    }

    func testPersonDetectQuantizedDimensionQuirkOnOneDimensionalTensors() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors[2].scales = [0.1, 0.2, 0.3]
        m.tensors[2].zeroPoints = [0, 0, 0]
        m.tensors[2].quantizedDimension = 3
        let model = try LoadedModel(modelBytes: m.bytes())
        let q = try XCTUnwrap(model.graph.tensors[2].quantization)
        XCTAssertEqual(q.dimension, 0)
        XCTAssertEqual(q.scales, [0.1, 0.2, 0.3])
    }

    func testPerChannelScalesMustMatchTheChannelCount() {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors[1].scales = [0.1, 0.2]  // weights have 3 output channels
        m.tensors[1].zeroPoints = [0, 0]
        var message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("2 per-channel scales"), message)
        m.tensors[1].zeroPoints = [0]
        message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("2 scales but 1 zero points"), message)
    }

    func testOptionsAreParsedAndValidated() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.operators[0].options = [0: .i8(1), 2: .bool(true)]
        let model = try LoadedModel(modelBytes: m.bytes())
        guard case .fullyConnected(let fc) = model.graph.operators[0].options else { return XCTFail() }
        XCTAssertEqual(fc.activation, .relu)
        XCTAssertTrue(fc.keepNumDims)
        guard case .softmax(let beta) = model.graph.operators[1].options else { return XCTFail() }
        XCTAssertEqual(beta, 1)

        m.operators[0].options = [0: .i8(9)]
        guard case .invalidNode(0, "FULLY_CONNECTED", let reason)? = loadError(m.bytes()) else { return XCTFail() }
        XCTAssertTrue(reason.contains("activation"), reason)

        m = TestModel.fullyConnectedSoftmax()
        m.operators[0].optionsType = 1  // Conv2DOptions on a FULLY_CONNECTED
        guard case .invalidNode(0, _, let reason2)? = loadError(m.bytes()) else { return XCTFail() }
        XCTAssertTrue(reason2.contains("union type 1"), reason2)
    }

    func testConvOptionsAndStrideValidation() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.codes[0] = .init(deprecated: 3)  // CONV_2D
        m.tensors[0].shape = [1, 5, 5, 2]
        m.tensors[1].shape = [3, 3, 3, 2]
        m.buffers[1].data = [UInt8](repeating: 1, count: 54)
        m.tensors[3].shape = [1, 2, 2, 3]
        m.operators[0].optionsType = 1
        m.operators[0].options = [0: .i8(1), 1: .i32(2), 2: .i32(2), 3: .i8(3)]
        let model = try LoadedModel(modelBytes: m.bytes())
        guard case .conv2D(let c) = model.graph.operators[0].options else { return XCTFail() }
        XCTAssertEqual(c.padding, .valid)
        XCTAssertEqual(c.strideW, 2)
        XCTAssertEqual(c.strideH, 2)
        XCTAssertEqual(c.activation, .relu6)
        XCTAssertEqual(c.dilationW, 1)
        XCTAssertEqual(model.multiplyAccumulates, 2 * 2 * 3 * 3 * 3 * 2)

        m.operators[0].options = [0: .i8(1), 1: .i32(0), 2: .i32(2)]
        guard case .invalidNode(0, "CONV_2D", let reason)? = loadError(m.bytes()) else { return XCTFail() }
        XCTAssertTrue(reason.contains("stride_w is 0"), reason)
    }

    func testExternalBufferOffsetsAreBoundsChecked() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.buffers[2] = .init(offset: 1 << 40, size: 12)
        let message = loadError(m.bytes())?.description ?? ""
        XCTAssertTrue(message.contains("Buffer[2] offset"), message)

        // A valid external buffer: point the bias at the file's first 12 bytes.
        m.buffers[2] = .init(offset: 8, size: 12)
        let model = try LoadedModel(modelBytes: m.bytes())
        XCTAssertEqual(model.graph.buffers[2].position, 8)
        XCTAssertEqual(model.graph.buffers[2].byteCount, 12)
    }

    func testMisalignedConstantDataIsRealigned() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.buffers[2] = .init(offset: 9, size: 12)  // int32 bias at an odd address
        let bytes = m.bytes()
        let model = try LoadedModel(modelBytes: bytes)
        let arena = AlignedAllocation(count: model.arenaBytes)
        let bias = model.resolveTensors(arena: arena.pointer)[2]
        XCTAssertEqual(Int(bitPattern: bias.data) % 4, 0)
        XCTAssertEqual(Array(UnsafeRawBufferPointer(start: bias.data, count: 12)), Array(bytes[9..<21]))
    }

    func testUnusedTensorsGetNoMemory() throws {
        var m = TestModel.fullyConnectedSoftmax()
        m.tensors.append(.init(name: "unused", shape: [1000, 1000], type: 5))  // even a string
        let model = try LoadedModel(modelBytes: m.bytes())
        XCTAssertEqual(model.arenaBytes, 32)
    }

    // MARK: Planner

    func testPlannerReusesMemoryAndNeverOverlapsLiveBuffers() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let count = Int(rng.next() % 30) + 1
            let steps = Int(rng.next() % 20) + 1
            var buffers: [PlannedBuffer] = []
            for _ in 0..<count {
                let a = Int(rng.next() % UInt64(steps)), b = Int(rng.next() % UInt64(steps))
                buffers.append(PlannedBuffer(size: Int(rng.next() % 5000), first: min(a, b), last: max(a, b)))
            }
            let plan = try planArena(buffers, limit: 1 << 30)
            let total = buffers.reduce(0) { $0 + alignUp($1.size)! }
            XCTAssertLessThanOrEqual(plan.size, total)
            for i in buffers.indices {
                XCTAssertEqual(plan.offsets[i] % 16, 0)
                XCTAssertLessThanOrEqual(plan.offsets[i] + buffers[i].size, plan.size)
                for j in buffers.indices where j > i && buffers[i].overlapsInTime(buffers[j]) {
                    let disjoint = plan.offsets[i] + alignUp(buffers[i].size)! <= plan.offsets[j]
                        || plan.offsets[j] + alignUp(buffers[j].size)! <= plan.offsets[i]
                    XCTAssertTrue(disjoint || buffers[i].size == 0 || buffers[j].size == 0)
                }
            }
        }
    }

    func testPlannerChainUsesTwoSlots() throws {
        // A chain of 10 equal tensors, each alive for two steps: two slots suffice.
        let buffers = (0..<10).map { PlannedBuffer(size: 100, first: $0, last: $0 + 1) }
        XCTAssertEqual(try planArena(buffers, limit: 1 << 20).size, 2 * 112)
    }

    func testPlannerLimit() {
        XCTAssertThrowsError(try planArena([PlannedBuffer(size: 1000, first: 0, last: 0)], limit: 512))
        XCTAssertThrowsError(try planArena([PlannedBuffer(size: 400, first: 0, last: 1),
                                            PlannedBuffer(size: 400, first: 1, last: 2)], limit: 512))
    }

    // MARK: The shared models

    /// Operators each model uses (from ../shared/models/README.md).
    private let expectedOperators: [String: Set<String>] = [
        "person_detect": ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "SOFTMAX"],
        "micro_speech_quantized": ["RESHAPE", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "SOFTMAX"],
        "vww_96_int8": ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"],
        "kws_ref_model": ["CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"],
        "hello_world_int8": ["FULLY_CONNECTED"],
        "multimodal_xattn": ["CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "TRANSPOSE",
                             "BATCH_MATMUL", "MUL", "SOFTMAX", "ADD", "MEAN", "SUB", "RSQRT"],
    ]

    func testSharedModelsMatchTheirManifests() throws {
        for folder in try SharedModels.folders() {
            let model = try LoadedModel(modelBytes: try folder.modelBytes())
            let summary = model.summary
            let name = folder.name
            XCTAssertEqual(summary.inputs.count, folder.manifest.inputs.count, name)
            XCTAssertEqual(summary.outputs.count, folder.manifest.outputs.count, name)
            for (actual, spec) in Array(zip(summary.inputs, folder.manifest.inputs)) + Array(zip(summary.outputs, folder.manifest.outputs)) {
                XCTAssertEqual(actual.shape, spec.shape, "\(name) \(actual.name)")
                XCTAssertEqual(actual.type.name, spec.dtype, "\(name) \(actual.name)")
                XCTAssertEqual(actual.scales, spec.scales.map { Float($0) }, "\(name) \(actual.name)")
                XCTAssertEqual(actual.zeroPoints, spec.zero_points.map { Int32($0) }, "\(name) \(actual.name)")
            }
            XCTAssertEqual(summary.operatorCounts.reduce(0) { $0 + $1.count }, model.operatorCount, name)
            if let expected = expectedOperators[name] {
                XCTAssertEqual(Set(summary.operatorCounts.map(\.name)), expected, name)
            }
            XCTAssertGreaterThan(model.tensorCount, model.operatorCount, name)
            XCTAssertEqual(summary.subgraphCount, 1, name)
            XCTAssertGreaterThan(model.multiplyAccumulates, 0, name)
            try checkArena(model, name: name)
            print("[perch] \(name): \(model.tensorCount) tensors, \(model.operatorCount) operators, arena \(model.arenaBytes) bytes, "
                  + "\(model.multiplyAccumulates) MACs, constants \(summary.constantBytes) bytes; "
                  + summary.operatorCounts.map { "\($0.name)×\($0.count)" }.joined(separator: " "))
        }
    }

    /// The arena is non-empty, smaller than all its tensors side by side, and no two
    /// tensors alive at the same step share bytes.
    private func checkArena(_ model: LoadedModel, name: String) throws {
        let layout = model.layout
        let sum = layout.buffers.reduce(0) { $0 + $1.size }
        XCTAssertGreaterThan(model.arenaBytes, 0, name)
        if layout.buffers.count > 3 {
            XCTAssertLessThan(model.arenaBytes, sum, name)
        }
        for i in layout.buffers.indices {
            for j in layout.buffers.indices where j > i && layout.buffers[i].overlapsInTime(layout.buffers[j]) {
                let (a, b) = (model.plan.offsets[i], model.plan.offsets[j])
                let disjoint = a + layout.buffers[i].size <= b || b + layout.buffers[j].size <= a
                XCTAssertTrue(disjoint || layout.buffers[i].size == 0 || layout.buffers[j].size == 0,
                              "\(name): tensors \(layout.bufferTensors[i]) and \(layout.bufferTensors[j]) overlap")
            }
        }
    }

    func testPersonDetectLoadsDespiteQuantizedDimensionQuirk() throws {
        let folder = try SharedModels.folder("person_detect")
        let model = try LoadedModel(modelBytes: try folder.modelBytes())
        // Read the raw quantized_dimension fields with the flatbuffer reader: the loader clamps them.
        let bytes = try folder.modelBytes()
        let quirky: [Int] = try bytes.withUnsafeBytes { raw in
            let fb = FlatBuffer(base: raw.baseAddress!, count: raw.count)
            let graph = try XCTUnwrap(fb.root(name: "Model").vector(2, elementSize: 4, field: "subgraphs")).table(0, name: "SG")
            let tensors = try XCTUnwrap(graph.vector(0, elementSize: 4, field: "tensors"))
            var found: [Int] = []
            for i in 0..<tensors.count {
                let tensor = try tensors.table(i, name: "T")
                let rank = try tensor.vector(0, elementSize: 4, field: "shape")?.count ?? 0
                guard let q = try tensor.table(4, field: "q") else { continue }
                if try q.integer(6, Int32.self, default: 0, field: "qd") >= rank { found.append(i) }
            }
            return found
        }
        XCTAssertEqual(quirky.count, 14, "the file should carry the quirk")
        for t in quirky {
            let tensor = model.graph.tensors[t]
            let q = try XCTUnwrap(tensor.quantization)
            XCTAssertEqual(tensor.shape.count, 1, tensor.name)
            XCTAssertEqual(q.dimension, 0, tensor.name)
            XCTAssertTrue(q.scales.count == 1 || q.scales.count == tensor.shape[0], tensor.name)
        }
    }
}

/// A small deterministic PRNG for reproducible tests.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
