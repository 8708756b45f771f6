"""Flatbuffer edits for what the converter never emits (SQUEEZE, SOFTMAX beta != 1).

Each edit takes a converted model as the schema's object tree (ModelT) and changes one operator;
the edited model is what TFLite Micro then runs, so the outputs stay TFLite Micro's own.
"""
import flatbuffers
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb


def parse(model_bytes):
    return schema_fb.ModelT.InitFromObj(schema_fb.Model.GetRootAsModel(bytearray(model_bytes), 0))


def serialize(model):
    builder = flatbuffers.Builder(4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def builtin_code(opcode):
    return max(opcode.builtinCode, opcode.deprecatedBuiltinCode)


def opcode_index(model, code):
    for i, opcode in enumerate(model.operatorCodes):
        if builtin_code(opcode) == code:
            return i
    opcode = schema_fb.OperatorCodeT()
    opcode.builtinCode = code
    opcode.deprecatedBuiltinCode = min(code, 127)
    opcode.version = 1
    model.operatorCodes.append(opcode)
    return len(model.operatorCodes) - 1


def only_op(model, code):
    ops = [op for op in model.subgraphs[0].operators if builtin_code(model.operatorCodes[op.opcodeIndex]) == code]
    if len(ops) != 1:
        raise ValueError("expected one operator with code %d, found %d" % (code, len(ops)))
    return ops[0]


def reshape_to_squeeze(dims):
    """Turns the model's one RESHAPE into SQUEEZE(squeeze_dims=dims); the shape tensor is left unused."""
    def edit(model):
        op = only_op(model, schema_fb.BuiltinOperator.RESHAPE)
        op.opcodeIndex = opcode_index(model, schema_fb.BuiltinOperator.SQUEEZE)
        op.inputs = op.inputs[:1]
        options = schema_fb.SqueezeOptionsT()
        options.squeezeDims = list(dims)
        op.builtinOptionsType = schema_fb.BuiltinOptions.SqueezeOptions
        op.builtinOptions = options
    edit.about = "RESHAPE rewritten as SQUEEZE(%s)" % ",".join(str(d) for d in dims)
    return edit


def softmax_beta(beta):
    def edit(model):
        only_op(model, schema_fb.BuiltinOperator.SOFTMAX).builtinOptions.beta = beta
    edit.about = "SOFTMAX beta set to %g" % beta
    return edit


def output_like_input(code):
    """Gives the one `code` operator's output the quantization of its input 0 (the converter
    picks a new output scale; TFLite Micro has separate paths for equal ones)."""
    def edit(model):
        op = only_op(model, code)
        tensors = model.subgraphs[0].tensors
        tensors[op.outputs[0]].quantization = tensors[op.inputs[0]].quantization
    edit.about = "output quantization set equal to the input's"
    return edit


def rescale_tensor(which, factor, zero_point_shift):
    """Scales the quantization of the model's input or output 0 (`which`) by `factor` and
    shifts its zero point, so the boundary QUANTIZE rescales instead of only shifting by 128."""
    def edit(model):
        graph = model.subgraphs[0]
        tensor = graph.tensors[(graph.inputs if which == "input" else graph.outputs)[0]]
        q = tensor.quantization
        q.scale = [s * factor for s in q.scale]
        q.zeroPoint = [z + zero_point_shift for z in q.zeroPoint]
    edit.about = "model %s scale x%g, zero point %+d" % (which, factor, zero_point_shift)
    return edit



def chain(*edits):
    def edit(model):
        for e in edits:
            e(model)
    edit.about = "; ".join(e.about for e in edits)
    return edit


def lone_boundary_op(code):
    """Keeps only the model's QUANTIZE (float input) or DEQUANTIZE (float output), wired straight
    to the model's other end, which becomes uint8 with the same scale (zero point + 128): the
    float<->uint8 conversions that the converter never emits."""
    def edit(model):
        graph = model.subgraphs[0]
        op = only_op(model, code)
        if code == schema_fb.BuiltinOperator.DEQUANTIZE:
            op.inputs = [graph.inputs[0]]
            end = graph.tensors[graph.inputs[0]]
        else:
            op.outputs = [graph.outputs[0]]
            end = graph.tensors[graph.outputs[0]]
        graph.operators = [op]
        end.type = schema_fb.TensorType.UINT8
        end.quantization.zeroPoint = [z + 128 for z in end.quantization.zeroPoint]
    edit.about = "every operator but the boundary one removed, the other end made uint8"
    return edit
