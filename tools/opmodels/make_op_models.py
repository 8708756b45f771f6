#!/usr/bin/env python3
"""Builds tiny int8 TFLite models, one operator (or a few) each, and the outputs that
TensorFlow Lite Micro's reference kernels give for them: test oracles for Perch's kernels.

    python tools/opmodels/make_op_models.py [--out DIR] [--only NAME ...] [--list]

Every model comes from a tf.function whose weights are drawn from a generator seeded by the
model's name, converted with full integer quantization (representative data from the same
kind of generator), then run by TFLite Micro on three random inputs. The output folder gets one
sub-folder per model in the layout of the shared reference models (model.tflite,
in-SAMPLE-I.bin, out-SAMPLE-O.bin, manifest.json) and a README.md with the table of models.
The cases themselves are in op_cases.py.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tflite_micro.python.tflite_micro import runtime  # noqa: E402
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as schema_fb  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import edits  # noqa: E402
import op_cases  # noqa: E402
import readme  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "Tests", "PerchRuntimeTests", "OpModels")
SAMPLES = 3
REPRESENTATIVE = 64
TF_TYPES = {"int8": tf.int8, "uint8": tf.uint8, "float": tf.float32}
NP_TYPES = {"int8": np.int8, "uint8": np.uint8, "float": np.float32}
OP_NAMES = {v: k for k, v in vars(schema_fb.BuiltinOperator).items() if not k.startswith("_")}
TYPE_NAMES = {v: k.lower() for k, v in vars(schema_fb.TensorType).items() if not k.startswith("_")}
# Operators whose input 1 is a weight tensor that may be quantized per channel.
WEIGHTED = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"}


def seed_of(name, salt=0):
    return (zlib.crc32(name.encode()) + salt) & 0xFFFFFFFF


def tflm_version():
    from importlib.metadata import version
    return version("tflite-micro")


def convert(case):
    """Converts the case's tf.function with full integer quantization; returns the flatbuffer."""
    rng = np.random.default_rng(seed_of(case.name))
    fn = case.build(rng)
    spec = [tf.TensorSpec(shape, tf.float32, name="input_%d" % i) for i, shape in enumerate(case.inputs)]
    function = tf.function(fn, input_signature=spec)
    concrete = function.get_concrete_function()
    converter = tf.lite.TFLiteConverter.from_concrete_functions([concrete], tf.Module())
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    if not case.per_channel:
        converter._experimental_disable_per_channel = True
    in_type, out_type = case.io
    if in_type != "float":
        converter.inference_input_type = TF_TYPES[in_type]
    if out_type != "float":
        converter.inference_output_type = TF_TYPES[out_type]
    data_rng = np.random.default_rng(seed_of(case.name, 1))

    def representative():
        for _ in range(REPRESENTATIVE):
            # By name: the converter may order the model's inputs differently from the signature.
            yield {"input_%d" % i: data_rng.uniform(lo, hi, shape).astype(np.float32)
                   for i, (shape, (lo, hi)) in enumerate(zip(case.inputs, case.ranges))}

    converter.representative_dataset = representative
    model_bytes = converter.convert()
    if case.edit is not None:
        model = edits.parse(model_bytes)
        case.edit(model)
        model_bytes = edits.serialize(model)
    return model_bytes


def quantization_of(details):
    q = details.get("quantization_parameters", {})
    return [float(s) for s in q.get("scales", [])], [int(z) for z in q.get("zero_points", [])]


def input_order(model_bytes):
    """For each model input, the index of the case input it is (from its tensor name)."""
    model = runtime.convert_bytearray_to_object(bytearray(model_bytes))
    graph = model.subgraphs[0]
    order = []
    for t in graph.inputs:
        name = graph.tensors[t].name.decode()
        order.append(int(name.split("input_")[1].split(":")[0]))
    return order


def describe_ops(model_bytes):
    """Operator list of subgraph 0 with input/output types, per-channel weights and options."""
    model = runtime.convert_bytearray_to_object(bytearray(model_bytes))
    graph = model.subgraphs[0]
    ops = []
    for op in graph.operators:
        code = runtime.get_builtin_code_from_operator_code(model.operatorCodes[op.opcodeIndex])
        name = OP_NAMES.get(code, str(code))
        entry = {
            "op": name,
            "inputs": [TYPE_NAMES[graph.tensors[i].type] if i >= 0 else "none" for i in op.inputs],
            "outputs": [TYPE_NAMES[graph.tensors[i].type] for i in op.outputs],
        }
        if name in WEIGHTED:
            q = graph.tensors[op.inputs[1]].quantization
            entry["weights"] = "per-channel" if q is not None and len(q.scale) > 1 else "per-tensor"
        options = op.builtinOptions
        if options is not None:
            entry["options"] = {k: (float(v) if isinstance(v, float) else int(v)) for k, v in vars(options).items()
                                if isinstance(v, (bool, int, float))}
        ops.append(entry)
    return ops


def ends(details):
    """The distinct dtypes of a model's inputs or outputs, e.g. "uint8" or "float32"."""
    return ",".join(sorted({tensor_entry(d)["dtype"] for d in details}))


def weight_kinds(ops):
    """"per-channel", "per-tensor" (or both, comma-separated) over the weighted nodes; "none" without any."""
    kinds = sorted({o["weights"] for o in ops if "weights" in o})
    return ", ".join(kinds) if kinds else "none"


def sample_inputs(case, details, order, k):
    """Sample k: uniform over the dtype's range (float: over the case's range widened by a
    quarter each side, so that quantization saturates), or over `case.sample_real` quantized."""
    rng = np.random.default_rng(seed_of(case.name, 100 + k))
    arrays = []
    for i, d in enumerate(details):
        shape = [int(x) for x in d["shape"]]
        dtype = d["dtype"]
        if dtype == np.float32:
            lo, hi = case.ranges[order[i]]
            margin = (hi - lo) / 4
            arrays.append(rng.uniform(lo - margin, hi + margin, shape).astype(np.float32))
            continue
        info = np.iinfo(dtype)
        if case.sample_real is not None:
            scales, zps = quantization_of(d)
            lo, hi = case.sample_real
            q = np.round(rng.uniform(lo, hi, shape) / scales[0]) + zps[0]
            arrays.append(np.clip(q, info.min, info.max).astype(dtype))
        else:
            arrays.append(rng.integers(info.min, info.max, shape, endpoint=True).astype(dtype))
    return arrays


def tensor_entry(d):
    scales, zps = quantization_of(d)
    dtype = np.dtype(d["dtype"]).name
    return {"shape": [int(x) for x in d["shape"]], "dtype": "float32" if dtype == "float32" else dtype,
            "scales": scales, "zero_points": zps}


def build(case, out_dir):
    """Converts and runs one case; returns its manifest (or raises)."""
    model_bytes = convert(case)
    ops = describe_ops(model_bytes)
    names = [o["op"] for o in ops]
    missing = [op for op in case.expect if op not in names]
    order = input_order(model_bytes)
    interpreter = runtime.Interpreter.from_bytes(model_bytes, arena_size=512 * 1024)
    n_in = len(case.inputs)
    in_details = [interpreter.get_input_details(i) for i in range(n_in)]
    n_out = case.outputs
    out_details = [interpreter.get_output_details(o) for o in range(n_out)]
    folder = os.path.join(out_dir, case.name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    samples = []
    for k in range(SAMPLES):
        name = "random%d" % k
        arrays = sample_inputs(case, in_details, order, k)
        for i, a in enumerate(arrays):
            interpreter.set_input(a, i)
        interpreter.invoke()
        ins, outs = [], []
        for i, a in enumerate(arrays):
            ins.append("in-%s-%d.bin" % (name, i))
            with open(os.path.join(folder, ins[-1]), "wb") as f:
                f.write(a.astype(a.dtype.newbyteorder("<")).tobytes())
        for o in range(n_out):
            result = np.asarray(interpreter.get_output(o))
            outs.append("out-%s-%d.bin" % (name, o))
            with open(os.path.join(folder, outs[-1]), "wb") as f:
                f.write(result.astype(result.dtype.newbyteorder("<")).tobytes())
        samples.append({"name": name, "inputs": ins, "outputs": outs})
    with open(os.path.join(folder, "model.tflite"), "wb") as f:
        f.write(model_bytes)
    manifest = {
        "model": "model.tflite",
        "sha256": hashlib.sha256(model_bytes).hexdigest(),
        "oracle": "tflite-micro %s reference kernels; converter: tensorflow %s" % (tflm_version(), tf.__version__),
        "about": case.about,
        "io": "%s->%s" % (ends(in_details), ends(out_details)),
        "weights": weight_kinds(ops),
        "operators": names,
        "nodes": ops,
        "inputs": [tensor_entry(d) for d in in_details],
        "input_order": order,
        "outputs": [tensor_entry(d) for d in out_details],
        "samples": samples,
    }
    if case.edit is not None:
        manifest["edited"] = case.edit.about
    if missing:
        manifest["converter_note"] = "the converter did not emit " + ", ".join(missing)
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="*", help="case names (default: all)")
    parser.add_argument("--list", action="store_true", help="list case names and exit")
    args = parser.parse_args()
    cases = op_cases.all_cases()
    if args.list:
        for c in cases:
            print(c.name)
        return 0
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    tf.keras.utils.set_random_seed(0)
    os.makedirs(args.out, exist_ok=True)
    failures = {}
    for case in cases:
        try:
            m = build(case, args.out)
            print("ok   %-28s %s%s" % (case.name, " ".join(m["operators"]),
                                       ("  (" + m["converter_note"] + ")") if "converter_note" in m else ""))
        except Exception as e:  # a case the converter or TFLite Micro refuses is reported, not fatal
            reason = str(e).strip().splitlines()
            failures[case.name] = reason[-1] if reason else type(e).__name__
            shutil.rmtree(os.path.join(args.out, case.name), ignore_errors=True)
            print("FAIL %-28s %s" % (case.name, failures[case.name]))
    readme.write(args.out, cases, failures, tf.__version__, tflm_version())
    print("%d built, %d failed" % (len(cases) - len(failures), len(failures)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
