#!/usr/bin/env python3
"""Host benchmark, one thread: Perch against LiteRT (XNNPACK delegate, and its built-in
kernels without delegates) and TensorFlow Lite Micro, on every model in the shared models
folder. Prints a table of median milliseconds per inference and the ratios.

    tools/bench/compare.sh [--batches N] [--batch-ms MS] [--rounds N] [--json FILE]   (makes the venv, builds Perch)
    compare.py --perch .build/release/perch [--models DIR] ...

Every runtime is timed in the same process run, in alternating rounds (Perch, XNNPACK,
built-in, TFLite Micro, again...), and each runtime's figure is the lowest of its per-round
medians, so slow drift of a shared machine hits all of them alike.

All four are timed the same way, in batches: back-to-back calls are doubled until they take
>= 100 us to estimate one call, a batch is as many calls as take --batch-ms (default 1 ms),
each batch's figure is its time divided by its calls, and the runtime's figure is the median
over --batches batches. (A clock reading per call would add tens of nanoseconds to every
call: as much as a 288-MAC model takes.) Perch is timed by `perch bench MODEL --json
--batches N --batch-ms MS` (its own loop around `invoke()`); the others by a Python loop
around `invoke()` (their call overhead, ~0.1-3 us, is included: it is what a user pays).
"""
import math
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def perch_median(perch, model, batches, batch_ms):
    out = subprocess.run([*perch.split(), "bench", model, "--json", "--no-operators", "--batches", str(batches),
                          "--batch-ms", str(batch_ms)],
                         check=True, capture_output=True, text=True).stdout
    info = json.loads(out.strip().splitlines()[-1])
    return info["median_ms"], info


def time_batches(invoke, batches, batch_ms, warmup=5):
    """Median ms per call over `batches` batches of back-to-back calls (perch bench's method)."""
    for _ in range(warmup):
        invoke()
    calls = 1
    while True:
        t = time.perf_counter_ns()
        for _ in range(calls):
            invoke()
        elapsed = time.perf_counter_ns() - t
        if elapsed >= 100_000 or calls >= 1 << 24:
            break
        calls *= 2
    batch = max(1, math.ceil(batch_ms * 1e6 / (max(elapsed, 1) / calls)))
    per_call = []
    for _ in range(batches):
        t = time.perf_counter_ns()
        for _ in range(batch):
            invoke()
        per_call.append((time.perf_counter_ns() - t) / batch)
    return statistics.median(per_call) / 1e6


def cpu_description():
    """The CPU's model name and its int8 SIMD extensions (what picks Perch's kernel path), from
    /proc/cpuinfo: figures from different machines are not comparable."""
    model, flags = "unknown CPU", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "unknown CPU":
                    model = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    simd = [name for name in ("avx2", "avx512f", "avx512_vnni") if name in flags]
    return f"{model} ({', '.join(simd) if simd else 'no AVX2'}; {os.cpu_count()} CPUs)"


def load_text():
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def random_input(shape, dtype, rng):
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max + 1, size=shape, dtype=np.int64).astype(dtype)


def litert_compatible(model, workdir):
    """The model as desktop LiteRT accepts it. person_detect's 1-D bias tensors carry
    quantized_dimension = 3, which TFLite Micro ignores and LiteRT rejects; a copy with 0
    there (the same numbers: one scale each) is written to `workdir` and its path returned."""
    import flatbuffers
    from ai_edge_litert import schema_py_generated as schema
    with open(model, "rb") as f:
        buf = f.read()
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAs(buf, 0))
    changed = False
    for sg in m.subgraphs or []:
        for t in sg.tensors or []:
            q = t.quantization
            rank = len(t.shape) if t.shape is not None else 0
            if q is not None and q.quantizedDimension >= max(rank, 1):
                q.quantizedDimension = 0
                changed = True
    if not changed:
        return model
    builder = flatbuffers.Builder(len(buf) + 1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    os.makedirs(workdir, exist_ok=True)
    out = os.path.join(workdir, os.path.basename(os.path.dirname(model)) + ".tflite")
    with open(out, "wb") as f:
        f.write(builder.Output())
    return out


class LiteRT:
    def __init__(self, model, xnnpack):
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
        if xnnpack:
            self.interpreter = Interpreter(model_path=model, num_threads=1)
        else:
            self.interpreter = Interpreter(
                model_path=model, num_threads=1,
                experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        self.interpreter.allocate_tensors()
        rng = np.random.default_rng(1)
        for d in self.interpreter.get_input_details():
            self.interpreter.set_tensor(d["index"], random_input(d["shape"], d["dtype"], rng))

    def invoke(self):
        self.interpreter.invoke()


class Micro:
    def __init__(self, model, inputs):
        from tflite_micro.python.tflite_micro import runtime
        self.interpreter = runtime.Interpreter.from_file(model)
        rng = np.random.default_rng(1)
        for i in range(inputs):
            d = self.interpreter.get_input_details(i)
            self.interpreter.set_input(random_input(d["shape"], d["dtype"], rng), i)

    def invoke(self):
        self.interpreter.invoke()


def measure(name, factory, batches, batch_ms):
    try:
        runtime = factory()
    except Exception as e:  # e.g. desktop TFLite rejects person_detect's bias quantized_dimension
        return None, type(e).__name__ + ": " + str(e).splitlines()[0][:100] if str(e) else type(e).__name__
    try:
        return time_batches(runtime.invoke, batches, batch_ms), None
    except Exception as e:
        return None, type(e).__name__ + ": " + str(e)[:100]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--perch", default=os.path.join(here, "..", "..", ".build", "release", "perch"))
    parser.add_argument("--models", default=os.path.join(here, "..", "..", "..", "shared", "models"))
    parser.add_argument("--batches", type=int, default=30, help="timed batches per runtime and round")
    parser.add_argument("--batch-ms", type=float, default=1.0, help="duration of one batch (calls per batch follow)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", action="append", help="model folder names to run (default: all)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--workdir", default=os.path.join(os.environ.get("PERCH_CACHE", os.path.join(here, "..", "..", ".cache")), "bench-models"),
                        help="where LiteRT-compatible copies of models go")
    args = parser.parse_args()

    models = sorted(d for d in os.listdir(args.models)
                    if os.path.isfile(os.path.join(args.models, d, "model.tflite")))
    if args.only:
        models = [m for m in models if m in args.only]
    runtimes = ["perch", "xnnpack", "builtin", "tflm"]
    results = {}
    cpu = cpu_description()
    load_before = load_text()
    for name in models:
        path = os.path.join(args.models, name, "model.tflite")
        with open(os.path.join(args.models, name, "manifest.json")) as f:
            inputs = len(json.load(f)["samples"][0]["inputs"])
        litert_path = litert_compatible(path, args.workdir)
        best = {r: None for r in runtimes}
        notes = {}
        for _ in range(args.rounds):
            figures = {}
            figures["perch"], info = perch_median(args.perch, path, args.batches, args.batch_ms)
            notes["perch_path"] = info["kernel_path"]
            notes["macs"] = info["macs"]
            figures["xnnpack"], notes_x = measure("xnnpack", lambda: LiteRT(litert_path, True), args.batches, args.batch_ms)
            figures["builtin"], notes_b = measure("builtin", lambda: LiteRT(litert_path, False), args.batches, args.batch_ms)
            figures["tflm"], notes_m = measure("tflm", lambda: Micro(path, inputs), args.batches, args.batch_ms)
            for r, why in (("xnnpack", notes_x), ("builtin", notes_b), ("tflm", notes_m)):
                if why:
                    notes[r] = why
            for r in runtimes:
                if figures[r] is not None and (best[r] is None or figures[r] < best[r]):
                    best[r] = figures[r]
        results[name] = {"median_ms": best, "notes": notes}
        print(f"# {name}: " + ", ".join(f"{r} {best[r]:.4f} ms" if best[r] else f"{r} n/a" for r in runtimes),
              file=sys.stderr, flush=True)

    def fmt(v, digits=4):
        return f"{v:.{digits}f}" if v is not None else "n/a"

    paths = ", ".join(sorted({r["notes"].get("perch_path", "?") for r in results.values()}))
    print("Host, one thread, median ms per inference (lowest of %d rounds of %d batches of ~%g ms); Perch kernel path: %s"
          % (args.rounds, args.batches, args.batch_ms, paths))
    print(f"CPU: {cpu}")
    print(f"Machine load: {load_before} before, {load_text()} after")
    print()
    print("| model | MACs | Perch | LiteRT+XNNPACK | LiteRT built-in | TFLite Micro | Perch / XNNPACK | Perch / built-in | TFLM / Perch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        m = r["median_ms"]
        p = m["perch"]
        ratio = lambda other: f"{p / other:.2f}x" if p and other else "n/a"
        speedup = f"{m['tflm'] / p:.1f}x" if p and m["tflm"] else "n/a"
        print(f"| {name} | {r['notes'].get('macs', 0):,} | {fmt(p)} | {fmt(m['xnnpack'])} | {fmt(m['builtin'])} | "
              f"{fmt(m['tflm'])} | {ratio(m['xnnpack'])} | {ratio(m['builtin'])} | {speedup} |")
    for name, r in results.items():
        for k in ("xnnpack", "builtin", "tflm"):
            if k in r["notes"]:
                print(f"- {name}, {k}: {r['notes'][k]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu, "kernel_path": paths, "load_before": load_before, "load_after": load_text(),
                       "models": results}, f, indent=2)


if __name__ == "__main__":
    main()
