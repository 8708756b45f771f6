// libFuzzer target: PerchRuntime's model loader on arbitrary bytes (a model file handed to
// perchd or `perch model`). What loads is also prepared and run, with bounded cost: a small
// arena, few operators and few multiply-accumulates, so one input stays in the millisecond
// range. Inputs are filled with a pattern taken from the model bytes.
import PerchRuntime

/// Arena cap for fuzzing (the daemon's is 256 MiB): bounds every tensor a kernel touches.
let arenaLimit = 2 << 20
/// Models above these are loaded and described but not run.
let maxOperators = 256
let maxMultiplyAccumulates = 2_000_000

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: data == nil ? 0 : count))
    let model: LoadedModel
    do throws(ModelError) {
        model = try LoadedModel(modelBytes: bytes, arenaLimit: arenaLimit)
    } catch {
        _ = error.description
        return 0
    }
    precondition(model.arenaBytes <= arenaLimit, "arena of \(model.arenaBytes) bytes above the limit")
    _ = model.summary
    guard model.operatorCount <= maxOperators, model.multiplyAccumulates >= 0,
          model.multiplyAccumulates <= maxMultiplyAccumulates else { return 0 }
    let interpreter: Interpreter
    do throws(ModelError) {
        interpreter = try Interpreter(model: model, options: RuntimeOptions(kernelPath: .widening))
    } catch {
        _ = error.description
        return 0
    }
    for i in 0..<interpreter.inputs.count {
        let input = interpreter.input(i)
        for j in 0..<input.count { input[j] = bytes.isEmpty ? 0 : bytes[(j &* 7 &+ i) % bytes.count] }
    }
    interpreter.invoke()
    var checksum: UInt8 = 0
    for i in 0..<interpreter.outputs.count {
        for byte in interpreter.output(i) { checksum &+= byte }
    }
    outputChecksum &+= checksum
    return 0
}

/// Keeps the outputs observed so the optimizer cannot drop the reads.
nonisolated(unsafe) var outputChecksum: UInt8 = 0
