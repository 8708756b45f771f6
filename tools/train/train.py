#!/usr/bin/env python3
"""Trains Perch's audio-visual Transformer on a dataset folder, quantizes it to a fully int8
TensorFlow Lite model, measures float and int8 accuracy on the held-out split, and writes the
model, its labels, its metadata and reference samples (outputs of TFLite Micro's kernels).

    tools/train/train.py --data DIR --out models/perch-av [--epochs 25] [--seed 1234] [--ablation]

DIR (see README.md): labels.txt, train/labels.csv + train/NAME.wav + train/NAME.{ppm,bmp,pgm},
optionally test/ in the same layout (otherwise a seeded 20 % of train is held out).
Inputs are made by Perch itself (`perch audio features`, `perch image tensor`), so training sees
exactly what the deployed pipeline feeds the model.
"""
import argparse
import concurrent.futures
import contextlib
import csv
import hashlib
import io
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONHASHSEED", "0")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FRAMES, FEATURES = 49, 40
IMAGE_EXTENSIONS = (".ppm", ".bmp", ".pgm")


def log(*a):
    print(*a, flush=True)


# ---------------------------------------------------------------------------------------------
# Dataset and Perch's frontends


def find_perch(path):
    candidates = [path] if path else [os.path.join(REPO, ".build/release/perch"), os.path.join(REPO, ".build/debug/perch")]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise SystemExit("perch not found: build it first (swift build -c release) or pass --perch PATH")


def read_split(data, split, labels):
    folder = os.path.join(data, split)
    path = os.path.join(folder, "labels.csv")
    if not os.path.isfile(path):
        return None
    names, targets, images = [], [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            name = row["name"].strip()
            y = np.zeros(len(labels), np.float32)
            for label in filter(None, (s.strip() for s in row["labels"].split(";"))):
                if label not in labels:
                    raise SystemExit(f"{path}: {name}: unknown label {label!r} (not in labels.txt)")
                y[labels.index(label)] = 1
            # Optional column "unknown": labels the sample says nothing about (loss masked, not scored).
            for label in filter(None, (s.strip() for s in (row.get("unknown") or "").split(";"))):
                if label not in labels:
                    raise SystemExit(f"{path}: {name}: unknown label {label!r} (not in labels.txt)")
                y[labels.index(label)] = -1
            image = next((os.path.join(folder, name + e) for e in IMAGE_EXTENSIONS
                          if os.path.isfile(os.path.join(folder, name + e))), None)
            if image is None or not os.path.isfile(os.path.join(folder, name + ".wav")):
                raise SystemExit(f"{folder}: {name} needs {name}.wav and {name}.ppm/.bmp/.pgm")
            names.append(name)
            targets.append(y)
            images.append(image)
    return {"folder": folder, "names": names, "images": images,
            "wavs": [os.path.join(folder, n + ".wav") for n in names], "y": np.stack(targets)}


def image_spec_args(spec):
    w, h, c = spec
    return ["--width", str(w), "--height", str(h), "--channels", str(c),
            "--scale", repr(1 / 255), "--zero-point", "-128", "--normalize", "unit"]


def perch_inputs(perch, split, spec, cache_dir):
    """int8 image tensors [N,H,W,C] and audio features [N,49,40] made by perch, cached."""
    key = hashlib.sha256()
    with open(perch, "rb") as f:
        key.update(f.read())
    key.update(repr(spec).encode())
    for p in split["wavs"] + split["images"]:
        st = os.stat(p)
        key.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
    cache = os.path.join(cache_dir, f"{os.path.basename(split['folder'])}-{key.hexdigest()[:16]}.npz")
    if os.path.isfile(cache):
        z = np.load(cache)
        return z["image"], z["audio"]
    w, h, c = spec
    n = len(split["names"])
    images = np.zeros((n, h, w, c), np.int8)
    audio = np.zeros((n, FRAMES, FEATURES), np.int8)
    tmp = tempfile.mkdtemp(prefix="perch-av-")

    def one(i):
        a_out, i_out = os.path.join(tmp, f"a{i}.bin"), os.path.join(tmp, f"i{i}.bin")
        subprocess.run([perch, "audio", "features", split["wavs"][i], "--output", a_out],
                       check=True, stdout=subprocess.DEVNULL)
        subprocess.run([perch, "image", "tensor", split["images"][i], "--output", i_out] + image_spec_args(spec),
                       check=True, stdout=subprocess.DEVNULL)
        feats = np.fromfile(a_out, np.int8).reshape(-1, FEATURES)
        if feats.shape[0] < FRAMES:
            raise SystemExit(f"{split['wavs'][i]}: {feats.shape[0]} feature frames, need {FRAMES} (1 s of audio)")
        audio[i] = feats[:FRAMES]
        images[i] = np.fromfile(i_out, np.int8).reshape(h, w, c)
        os.remove(a_out)
        os.remove(i_out)

    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, range(n)))
    shutil.rmtree(tmp)
    log(f"  {os.path.basename(split['folder'])}: {n} samples through perch in {time.time() - t0:.0f} s")
    os.makedirs(cache_dir, exist_ok=True)
    np.savez(cache, image=images, audio=audio)
    return images, audio


def to_float(images, audio):
    """The float model's inputs: image in [0,1] (int8 q -> (q+128)/255), features q/128."""
    return (images.astype(np.float32) + 128.0) / 255.0, audio.astype(np.float32) / 128.0


# ---------------------------------------------------------------------------------------------
# Metrics


def metrics(y, p, labels):
    pred = p >= 0.5
    truth = y >= 0.5
    known = y >= 0  # -1 = unknown label: not scored
    out = {}
    for j, name in enumerate(labels):
        k = known[:, j]
        tp = int(np.sum(pred[:, j] & truth[:, j] & k))
        fp = int(np.sum(pred[:, j] & ~truth[:, j] & k))
        fn = int(np.sum(~pred[:, j] & truth[:, j] & k))
        acc = float(np.mean(pred[k, j] == truth[k, j])) if k.any() else 1.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        negatives = int(np.sum(~truth[:, j] & k))
        positives = int(np.sum(truth[:, j] & k))
        out[name] = {"accuracy": round(acc, 4), "f1": round(f1, 4), "positives": positives,
                     "negatives": negatives, "false_positives": fp, "true_positives": tp,
                     "fp_rate": round(fp / negatives, 4) if negatives else None,
                     "recall": round(tp / positives, 4) if positives else None}
    out["_all_labels_exact"] = round(float(np.mean(np.all((pred == truth) | ~known, axis=1))), 4)
    return out


# ---------------------------------------------------------------------------------------------
# Training


def set_seeds(seed):
    import tensorflow as tf
    import keras
    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def masked_bce(y_true, y_pred):
    """Binary cross-entropy over the known labels (y = -1 marks an unknown label). y_true may
    carry a weight per label after the targets ([targets | weights], see room_weights)."""
    from keras import ops
    n = y_pred.shape[-1]
    if y_true.shape[-1] == 2 * n:
        y_true, weights = y_true[..., :n], y_true[..., n:]
    else:
        weights = 1.0
    known = ops.cast(y_true >= 0, "float32")
    p = ops.clip(y_pred, 1e-7, 1 - 1e-7)
    t = ops.maximum(y_true, 0.0)
    bce = -(t * ops.log(p) + (1 - t) * ops.log(1 - p))
    return ops.sum(bce * known * weights, axis=-1) / ops.maximum(ops.sum(known, axis=-1), 1.0)


def room_weights(y, labels, specs):
    """Loss weight per sample and label: LABEL=W weighs that label's targets (positive and
    negative) W times in rendered-room frames, i.e. those whose room label door_open is known
    (real photographs leave it unknown). Why: training on real photographs without people made
    `person` cautious on the dim synthetic rooms, and the fused `visitor` needs `person`.
    Returns ([targets | weights] or y itself, {label: {weight, samples}})."""
    if not specs:
        return y, {}
    room = y[:, labels.index("door_open")] >= 0
    w = np.ones_like(y, dtype=np.float32)
    summary = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        if name not in labels or not value:
            raise SystemExit(f"--room-weight {spec!r}: expected LABEL=WEIGHT with a label of {labels}")
        weight = float(value)
        if not weight > 0:
            raise SystemExit(f"--room-weight {spec!r}: weight must be > 0")
        j = labels.index(name)
        hit = room & (y[:, j] >= 0)
        w[hit, j] = weight
        summary[name] = {"weight": weight, "samples": int(hit.sum()), "positives": int((hit & (y[:, j] == 1)).sum())}
    return np.concatenate([y, w], axis=1).astype(np.float32), summary


def train_model(labels, x_img, x_aud, y, args, spec, tag):
    """Trains on the first (1 - val_fraction) of the samples, reports loss on the rest. Frames are
    mirrored left-right at random (a room seen mirrored has the same labels)."""
    import tensorflow as tf
    import keras
    import avmodel
    set_seeds(args.seed)
    full = avmodel.build(labels, batch=None, image_shape=(spec[1], spec[0], spec[2]))
    model = keras.Model(full.inputs, full.outputs[0])
    n_train = int(round(len(y) * (1 - args.val_fraction)))
    steps = args.epochs * int(np.ceil(n_train / args.batch))
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, steps, alpha=0.02)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=args.weight_decay), loss=masked_bce)

    def mirror(inputs_targets, r):
        (img, aud), target = inputs_targets
        img = tf.cond(r % 2 == 0, lambda: img, lambda: tf.reverse(img, axis=[1]))
        return {"image": img, "spectrogram": aud}, target

    train = tf.data.Dataset.from_tensor_slices(((x_img[:n_train], x_aud[:n_train]), y[:n_train]))
    train = train.shuffle(n_train, seed=args.seed, reshuffle_each_iteration=True)
    train = tf.data.Dataset.zip((train, tf.data.Dataset.random(seed=args.seed))).map(mirror).batch(args.batch)
    val = tf.data.Dataset.from_tensor_slices(({"image": x_img[n_train:], "spectrogram": x_aud[n_train:]},
                                              y[n_train:])).batch(256)
    t0 = time.time()
    history = model.fit(train, validation_data=val, epochs=args.epochs, verbose=0,
                        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=lambda e, l: log(
                            f"  [{tag}] epoch {e + 1}/{args.epochs}: loss {l['loss']:.4f} val_loss {l['val_loss']:.4f}"))])
    log(f"  [{tag}] trained in {time.time() - t0:.0f} s")
    return full, {"seconds": round(time.time() - t0, 1), "final_loss": round(history.history["loss"][-1], 5),
                  "final_val_loss": round(history.history["val_loss"][-1], 5)}


def predict(model, x_img, x_aud):
    out = model.predict({"image": x_img, "spectrogram": x_aud}, batch_size=256, verbose=0)
    return out[0], out[1]


# ---------------------------------------------------------------------------------------------
# Quantization and the reference runtime


def convert(full, labels, spec, rep_img, rep_aud):
    import tensorflow as tf
    import avmodel
    export = avmodel.build(labels, batch=1, image_shape=(spec[1], spec[0], spec[2]))
    export.set_weights(full.get_weights())

    def representative():
        for i in range(len(rep_img)):
            img, aud = rep_img[i:i + 1].copy(), rep_aud[i:i + 1].copy()
            if i == 0:  # pin the input ranges: image [0,1] -> scale 1/255, zp -128; features q/128 -> 1/128, 0
                img[0, 0, 0, 0], img[0, 0, 0, -1] = 0.0, 1.0
                aud[0, 0, 0], aud[0, 0, 1] = -1.0, 127.0 / 128.0
            yield {"image": img, "spectrogram": aud}

    converter = tf.lite.TFLiteConverter.from_keras_model(export)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):  # Keras' export prints its whole signature
        flat = converter.convert()

    # Which tensor is which: the signature names them.
    interp = tf.lite.Interpreter(model_content=flat)
    runner = interp.get_signature_runner()
    in_index = [d["index"] for d in interp.get_input_details()]
    out_index = [d["index"] for d in interp.get_output_details()]
    names_in = {name: in_index.index(d["index"]) for name, d in runner.get_input_details().items()}
    # Outputs: the signature calls them output_0, output_1 in Keras order (labels, attention).
    outs = runner.get_output_details()
    keras_order = [outs[k] for k in sorted(outs)] if all(k.startswith("output_") for k in outs) else None
    if keras_order is None or tuple(keras_order[1]["shape"]) != (1, 2):
        raise SystemExit(f"cannot tell the outputs apart: {list(outs)}, inputs {list(names_in)}")
    names_out = {"labels": out_index.index(keras_order[0]["index"]),
                 "modality_attention": out_index.index(keras_order[1]["index"])}
    return flat, names_in, names_out


class Micro:
    """TFLite Micro's reference kernels (the oracle Perch must match bit for bit)."""

    def __init__(self, flat):
        from tflite_micro.python.tflite_micro import runtime
        self.interp = runtime.Interpreter.from_bytes(flat)
        self.inputs = [self.interp.get_input_details(i) for i in range(2)]
        self.outputs = [self.interp.get_output_details(i) for i in range(2)]

    def run(self, tensors):
        for i, t in enumerate(tensors):
            self.interp.set_input(t.reshape(self.inputs[i]["shape"]), i)
        self.interp.invoke()
        return [self.interp.get_output(i).copy() for i in range(len(self.outputs))]

    def dequantize(self, o, q):
        p = self.outputs[o]["quantization_parameters"]
        return (q.astype(np.float32) - p["zero_points"][0]) * p["scales"][0]


def micro_probabilities(micro, img_q, aud_q):
    """Dequantized label probabilities of an int8 model through tflite-micro (inputs and outputs
    found by shape: the image is the 4-D input, the labels the wider output)."""
    i_img = next(i for i, d in enumerate(micro.inputs) if len(d["shape"]) == 4)
    o_lab = max(range(len(micro.outputs)), key=lambda o: micro.outputs[o]["shape"][-1])
    q = np.zeros((len(img_q), micro.outputs[o_lab]["shape"][-1]), np.int8)
    for i in range(len(img_q)):
        tensors = [None, None]
        tensors[i_img], tensors[1 - i_img] = img_q[i:i + 1], aud_q[i:i + 1]
        q[i] = micro.run(tensors)[o_lab][0]
    return micro.dequantize(o_lab, q)


REAL_GROUPS = [  # (name prefix, what the acceptance asks of that group)
    ("photo_", "photographs without people, silent audio: person < 0.5, and no audio label >= 0.5"),
    ("people_", "photographs of people, silent audio: person >= 0.5, and no audio label >= 0.5"),
    ("voice_", "real voices, black frame: speech >= 0.5, and no image label >= 0.5"),
    ("distractor_", "everyday sounds, black frame: no label >= 0.5"),
]


def real_checks(names, p, labels, modalities):
    """Per group of the real set: how many samples pass the acceptance's condition."""
    audio = [labels.index(n) for n in labels if modalities.get(n) == "audio"]
    image = [labels.index(n) for n in labels if modalities.get(n) == "image"]
    on = p >= 0.5
    out = {}
    for prefix, text in REAL_GROUPS:
        idx = [i for i, n in enumerate(names) if n.startswith(prefix)]
        if not idx:
            continue
        if prefix == "photo_":
            ok = [not on[i, labels.index("person")] for i in idx]
        elif prefix == "people_":
            ok = [bool(on[i, labels.index("person")]) for i in idx]
        elif prefix == "voice_":
            ok = [bool(on[i, labels.index("speech")]) for i in idx]
        else:
            ok = [not on[i].any() for i in idx]
        extra = {}
        if prefix in ("photo_", "people_"):
            extra["audio_label_fired"] = int(sum(on[i, audio].any() for i in idx))
        if prefix == "voice_":
            extra["image_label_fired"] = int(sum(on[i, image].any() for i in idx))
        out[prefix.rstrip("_")] = {"condition": text, "passed": int(sum(ok)), "of": len(idx), **extra,
                                   "failed": [names[i] for i, k in zip(idx, ok) if not k]}
    return out


def real_table(labels, columns):
    """FP rate and recall per label, one column pair per model."""
    head = " | ".join(f"{k}: FP rate | {k}: recall" for k in columns)
    lines = [f"| label | {head} |", "|---" * (1 + 2 * len(columns)) + "|"]
    for name in labels:
        cells = []
        for m in columns.values():
            v = m[name]
            cells.append("-" if v["fp_rate"] is None else f"{v['fp_rate']:.3f} ({v['false_positives']}/{v['negatives']})")
            cells.append("-" if v["recall"] is None else f"{v['recall']:.3f} ({v['true_positives']}/{v['positives']})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def checks_table(columns):
    keys = list(next(iter(columns.values())))
    lines = ["| group (condition) | " + " | ".join(columns) + " |", "|---" * (1 + len(columns)) + "|"]
    for k in keys:
        cells = []
        for c in columns.values():
            v = c[k]
            extra = "".join(f", {e.replace('_', ' ')}: {v[e]}" for e in ("audio_label_fired", "image_label_fired") if e in v)
            cells.append(f"{v['passed']}/{v['of']}{extra}")
        lines.append(f"| {k} ({c[k]['condition']}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_info(perch, path):
    text = subprocess.run([perch, "model", "info", path], check=True, capture_output=True, text=True).stdout
    info = {"operators": {}}
    section = None
    for line in text.splitlines():
        if line.startswith("operators:"):
            section = "ops"
            continue
        if section == "ops" and line.startswith("  "):
            op, _, count = line.strip().partition(" x")
            info["operators"][op] = int(count)
            continue
        section = None
        if line.startswith("multiply-accumulates per inference:"):
            info["macs"] = int(line.split(":")[1])
        elif line.startswith("arena:"):
            info["arena_bytes"] = int(line.split(":")[1].split()[0])
        elif line.startswith("runnable:"):
            info["runnable"] = line.split(":")[1].strip()
    return info, text


# ---------------------------------------------------------------------------------------------


def table(labels, columns):
    """Markdown table: one row per label, one (accuracy / F1) column per named result."""
    head = "| label | " + " | ".join(columns) + " |"
    lines = [head, "|" + "---|" * (len(columns) + 1)]
    for name in labels + ["_all_labels_exact"]:
        cells = []
        for m in columns.values():
            v = m[name]
            cells.append(f"{v:.3f}" if name.startswith("_") else f"{v['accuracy']:.3f} / {v['f1']:.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="dataset folder (labels.txt, train/, optional test/)")
    ap.add_argument("--out", required=True, help="model folder to write, e.g. models/perch-av")
    ap.add_argument("--perch", help="perch executable (default: .build/release/perch of this repository)")
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--weight-decay", type=float, default=1e-4)
    ap.add_argument("--image", default="64x64x3", help="model image input WxHxC (default 64x64x3)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training samples (quick runs)")
    ap.add_argument("--ablation", action="store_true",
                    help="also train the same architecture on one modality only (other input blank)")
    ap.add_argument("--real-samples", type=int, default=4, help="held-out samples to store as references")
    ap.add_argument("--random-samples", type=int, default=2, help="uniform random samples to store")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--room-weight", metavar="LABEL=W", action="append", default=[],
                    help="weigh LABEL's targets in rendered-room frames W times in the loss (repeatable)")
    ap.add_argument("--real-eval", metavar="DIR",
                    help="held-out real set (generate.py --real-eval DIR): FP rate and recall per label in report.md")
    ap.add_argument("--baseline", metavar="MODEL.tflite",
                    help="an earlier int8 model to compare with on the held-out and the real set (e.g. the shipped one)")
    args = ap.parse_args()
    baseline_flat = None
    if args.baseline:  # read now: --out may be the baseline's folder
        with open(args.baseline, "rb") as f:
            baseline_flat = f.read()

    import tensorflow as tf
    import keras
    import tflite_micro
    sys.path.insert(0, HERE)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    started = time.time()

    perch = find_perch(args.perch)
    spec = tuple(int(v) for v in args.image.lower().split("x"))
    with open(os.path.join(args.data, "labels.txt")) as f:
        labels = [line.strip() for line in f if line.strip()]
    train = read_split(args.data, "train", labels)
    if train is None:
        raise SystemExit(f"{args.data}/train/labels.csv not found")
    test = read_split(args.data, "test", labels)
    cache = os.path.join(args.data, ".perch-cache")
    log(f"inputs through {perch}")
    tr_img_q, tr_aud_q = perch_inputs(perch, train, spec, cache)
    tr_y = train["y"]
    if test is None:  # seeded 20 % hold-out
        order = np.random.default_rng(args.seed).permutation(len(tr_y))
        cut = int(0.8 * len(order))
        te_idx, tr_idx = np.sort(order[cut:]), np.sort(order[:cut])
        te_img_q, te_aud_q, te_y = tr_img_q[te_idx], tr_aud_q[te_idx], tr_y[te_idx]
        te_names = [train["names"][i] for i in te_idx]
        tr_img_q, tr_aud_q, tr_y = tr_img_q[tr_idx], tr_aud_q[tr_idx], tr_y[tr_idx]
        test_source = "seeded 20 % of train/"
    else:
        te_img_q, te_aud_q = perch_inputs(perch, test, spec, cache)
        te_y, te_names = test["y"], test["names"]
        test_source = "test/"
    if args.limit:
        tr_img_q, tr_aud_q, tr_y = tr_img_q[:args.limit], tr_aud_q[:args.limit], tr_y[:args.limit]
    tr_y_fit, loss_weights = room_weights(tr_y, labels, args.room_weight)
    if loss_weights:
        log(f"room loss weights: {loss_weights}")
    tr_img, tr_aud = to_float(tr_img_q, tr_aud_q)
    te_img, te_aud = to_float(te_img_q, te_aud_q)
    log(f"train {len(tr_y)}, test {len(te_y)} ({test_source}), labels {labels}")

    full, fit = train_model(labels, tr_img, tr_aud, tr_y_fit, args, spec, "audio+image")
    p_float, attn_float = predict(full, te_img, te_aud)
    float_metrics = metrics(te_y, p_float, labels)

    # Quantize: representative data = 300 training samples (seeded choice).
    rep = np.random.default_rng(args.seed + 1).choice(len(tr_y), size=min(300, len(tr_y)), replace=False)
    flat, names_in, names_out = convert(full, labels, spec, tr_img[rep], tr_aud[rep])
    micro = Micro(flat)
    i_img, i_aud = names_in["image"], names_in["spectrogram"]
    o_lab, o_att = names_out["labels"], names_out["modality_attention"]
    # The inputs must mean what training meant: image q = pixel - 128 (scale 1/255, zp -128, unit
    # normalization), features as perch writes them (scale 1/128, zp 0).
    qi = micro.inputs[i_img]["quantization_parameters"]
    qa = micro.inputs[i_aud]["quantization_parameters"]
    pixels = np.arange(256)
    if not (np.array_equal(np.round(pixels / 255.0 / qi["scales"][0]) + qi["zero_points"][0], pixels - 128)
            and qa["zero_points"][0] == 0 and abs(qa["scales"][0] - 1 / 128) < 1e-9):
        raise SystemExit(f"unexpected input quantization: image {qi}, features {qa}")

    q_labels = np.zeros((len(te_y), len(labels)), np.int8)
    q_attn = np.zeros((len(te_y), 2), np.int8)
    t0 = time.time()
    for i in range(len(te_y)):
        tensors = [None, None]
        tensors[i_img], tensors[i_aud] = te_img_q[i:i + 1], te_aud_q[i:i + 1]
        outs = micro.run(tensors)
        q_labels[i], q_attn[i] = outs[o_lab][0], outs[o_att][0]
    p_int8 = micro.dequantize(o_lab, q_labels)
    int8_metrics = metrics(te_y, p_int8, labels)
    log(f"  int8 evaluation through tflite-micro: {time.time() - t0:.0f} s")
    attn_int8 = micro.dequantize(o_att, q_attn)

    # The earlier model on the same held-out set, and both on the real set.
    modalities = {}
    if os.path.isfile(os.path.join(args.data, "dataset.json")):
        with open(os.path.join(args.data, "dataset.json")) as f:
            modalities = {n: v["modality"] for n, v in json.load(f).get("labels", {}).items()}
    baseline = None
    if baseline_flat is not None:
        base_micro = Micro(baseline_flat)
        baseline = {"sha256": hashlib.sha256(baseline_flat).hexdigest(), "path": args.baseline,
                    "int8": metrics(te_y, micro_probabilities(base_micro, te_img_q, te_aud_q), labels)}
    real = None
    if args.real_eval:
        real_split = read_split(args.real_eval, "test", labels)
        if real_split is None:
            raise SystemExit(f"{args.real_eval}/test/labels.csv not found (generate.py --real-eval {args.real_eval})")
        r_img_q, r_aud_q = perch_inputs(perch, real_split, spec, os.path.join(args.real_eval, ".perch-cache"))
        r_y, r_names = real_split["y"], real_split["names"]
        p_real = micro_probabilities(micro, r_img_q, r_aud_q)
        real = {"data": os.path.abspath(args.real_eval), "samples": len(r_names),
                "int8": metrics(r_y, p_real, labels), "checks": real_checks(r_names, p_real, labels, modalities),
                "scores": {n: [round(float(v), 3) for v in row] for n, row in zip(r_names, p_real)}}
        if baseline_flat is not None:
            p_base = micro_probabilities(base_micro, r_img_q, r_aud_q)
            baseline["real_int8"] = metrics(r_y, p_base, labels)
            baseline["real_checks"] = real_checks(r_names, p_base, labels, modalities)
            baseline["real_scores"] = {n: [round(float(v), 3) for v in row] for n, row in zip(r_names, p_base)}
        log("real set: " + json.dumps({k: f"{v['passed']}/{v['of']}" for k, v in real["checks"].items()}))

    # Ablations.
    blank_img = np.zeros_like(te_img)                 # black frame (int8 -128)
    blank_aud = np.full_like(te_aud, -1.0)            # feature floor (int8 -128)
    ablation = {"fused model, image blanked at test": metrics(te_y, predict(full, blank_img, te_aud)[0], labels),
                "fused model, audio blanked at test": metrics(te_y, predict(full, te_img, blank_aud)[0], labels)}
    ablation_fit = {}
    if args.ablation:
        audio_only, ablation_fit["audio only"] = train_model(labels, np.zeros_like(tr_img), tr_aud, tr_y_fit, args, spec, "audio only")
        ablation["audio-only model (trained with blank image)"] = metrics(te_y, predict(audio_only, blank_img, te_aud)[0], labels)
        image_only, ablation_fit["image only"] = train_model(labels, tr_img, np.full_like(tr_aud, -1.0), tr_y_fit, args, spec, "image only")
        ablation["image-only model (trained with blank audio)"] = metrics(te_y, predict(image_only, te_img, blank_aud)[0], labels)

    # Write the model folder.
    os.makedirs(os.path.join(args.out, "samples"), exist_ok=True)
    model_path = os.path.join(args.out, "model.tflite")
    with open(model_path, "wb") as f:
        f.write(flat)
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("\n".join(labels) + "\n")
    info, info_text = model_info(perch, model_path)
    sha = hashlib.sha256(flat).hexdigest()

    # Reference samples: held-out ones (the first with each fused label, then others) and random ones.
    picks = []
    for name in labels[::-1]:
        if len(picks) >= args.real_samples:
            break
        j = next((i for i in range(len(te_y)) if te_y[i, labels.index(name)] and i not in picks), None)
        if j is not None:
            picks.append(j)
    rng = np.random.default_rng(args.seed + 2)
    samples = [(te_names[j], [None, None], [labels[k] for k in np.flatnonzero(te_y[j])]) for j in picks]
    for j, (_, tensors, _) in zip(picks, samples):
        tensors[i_img], tensors[i_aud] = te_img_q[j:j + 1], te_aud_q[j:j + 1]
    for r in range(args.random_samples):
        tensors = [None, None]
        tensors[i_img] = rng.integers(-128, 128, te_img_q[:1].shape, dtype=np.int8)
        tensors[i_aud] = rng.integers(-128, 128, te_aud_q[:1].shape, dtype=np.int8)
        samples.append((f"random{r}", tensors, None))
    manifest_samples = []
    for name, tensors, truth in samples:
        outs = micro.run(tensors)
        entry = {"name": name, "inputs": [], "outputs": []}
        if truth is not None:
            entry["labels"] = truth  # the held-out sample's true labels
        for k, t in enumerate(tensors):
            path = f"samples/in-{name}-{k}.bin"
            t.astype(np.int8).tofile(os.path.join(args.out, path))
            entry["inputs"].append(path)
        for k, t in enumerate(outs):
            path = f"samples/out-{name}-{k}.bin"
            t.astype(np.int8).tofile(os.path.join(args.out, path))
            entry["outputs"].append(path)
        manifest_samples.append(entry)

    def tensor_spec(d):
        q = d["quantization_parameters"]
        return {"shape": [int(v) for v in d["shape"]], "dtype": "int8",
                "scales": [float(v) for v in q["scales"]], "zero_points": [int(v) for v in q["zero_points"]]}

    manifest = {"model": "model.tflite", "sha256": sha,
                "oracle": f"tflite-micro (pip tflite-micro {tflite_micro.__version__}): reference int8 kernels",
                "inputs": [tensor_spec(d) for d in micro.inputs],
                "outputs": [tensor_spec(d) for d in micro.outputs],
                "samples": manifest_samples}
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

    dataset_summary = None
    if os.path.isfile(os.path.join(args.data, "dataset.json")):
        with open(os.path.join(args.data, "dataset.json")) as f:
            dataset_summary = json.load(f)
    w, h, c = spec
    inputs_meta = [None, None]
    inputs_meta[i_img] = {
        "index": i_img, "name": "image", **tensor_spec(micro.inputs[i_img]),
        "produce": f"perch image tensor FRAME --model model.tflite --normalize unit --output FILE "
                   f"(equivalently --width {w} --height {h} --channels {c} --scale {1/255!r} --zero-point -128 --normalize unit)",
        "width": w, "height": h, "channels": c, "normalization": "unit: pixel/255 in [0,1], so int8 = pixel - 128",
        "crop": "centre (the largest centred region with the input's aspect ratio), then resize (auto: area when shrinking)",
        "training_frames": "160x120 RGB PPM camera frames (synthetic dataset)"}
    inputs_meta[i_aud] = {
        "index": i_aud, "name": "spectrogram", **tensor_spec(micro.inputs[i_aud]),
        "produce": "perch audio features CLIP.wav --output FILE (1 s of audio, 16 kHz mono after resampling)",
        "frames": FRAMES, "features": FEATURES,
        "meaning": "micro_speech features: 30 ms windows every 20 ms, 40 mel channels, noise reduction, PCAN, log; "
                   "int8 exactly as perch writes them (float value = int8/128)"}
    n_img, n_aud = full.token_counts
    metadata = {
        "name": os.path.basename(os.path.normpath(args.out)),
        "description": "Perch audio-visual Transformer: camera frame + 1 s of audio -> multi-label smart-home events",
        "model": "model.tflite", "sha256": sha, "size_bytes": len(flat),
        "macs": info.get("macs"), "arena_bytes": info.get("arena_bytes"), "operators": info["operators"],
        "labels": labels,
        "label_modalities": {n: dataset_summary["labels"][n]["modality"] for n in labels}
        if dataset_summary and "labels" in dataset_summary else None,
        "inputs": inputs_meta,
        "outputs": [None, None],
        "attribution_output_index": o_att,
        "labels_output_index": o_lab,
        "threshold": 0.5,
        "architecture": {
            "image_encoder": f"{w}x{h}x{c} -> Conv3x3/2(16)+BN+ReLU, 3 x [DW3x3/2+BN+ReLU, PW(32|48|64)+BN+ReLU] "
                             f"-> {n_img} tokens of 64",
            "audio_encoder": "49x40x1 -> Conv3x3/2(16)+BN+ReLU, 2 x [DW3x3/2+BN+ReLU, PW(32|48)+BN+ReLU] -> 7x5x48 -> 7 time tokens of 240",
            "projection": "per-modality Dense to d=32, learned per-position and modality embeddings",
            "transformer": f"1 block, {n_img + n_aud} tokens, 2 heads of 16, self-attention across both modalities, FFN 64 (ReLU), "
                           "residual + explicit layer norm (MEAN/SUB/MUL/RSQRT) after attention and after FFN",
            "fusion": "mean of image tokens ++ mean of audio tokens (64) -> Dense(labels) -> sigmoid",
            "attribution": "softmax attention of the block summed over image keys and over audio keys, averaged over heads and queries",
        },
        "training": {"data": os.path.abspath(args.data), "dataset": dataset_summary,
                     "train_samples": int(len(tr_y)), "test_samples": int(len(te_y)), "test_split": test_source,
                     "epochs": args.epochs, "batch": args.batch, "lr": args.lr, "optimizer": f"AdamW (weight decay {args.weight_decay}), cosine decay",
                     "augmentation": "random left-right mirror of the frame",
                     "loss": "binary cross-entropy", "room_loss_weights": loss_weights, "val_fraction": args.val_fraction, "seed": args.seed,
                     "representative_samples": int(len(rep)), "fit": fit, "ablation_fit": ablation_fit,
                     "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__,
                     "tflite_micro": tflite_micro.__version__, "python": platform.python_version(),
                     "perch": subprocess.run([perch, "--version"], capture_output=True, text=True).stdout.strip(),
                     "deterministic": "TF_DETERMINISTIC_OPS=1, op determinism, seeded python/numpy/tf/keras"},
        "accuracy": {"float": float_metrics, "int8": int8_metrics,
                     "note": "held-out split, threshold 0.5; per label: accuracy and F1 of the positive class; "
                             "int8 through tflite-micro's reference kernels"},
        "ablation": ablation,
        "real_evaluation": real,
        "baseline": baseline,
        "mean_attribution": {"float": [round(float(v), 4) for v in attn_float.mean(axis=0)],
                             "int8": [round(float(v), 4) for v in attn_int8.mean(axis=0)]},
    }
    out_specs = [tensor_spec(d) for d in micro.outputs]
    metadata["outputs"][o_lab] = {"index": o_lab, "name": "labels", **out_specs[o_lab],
                                  "meaning": "per-label probability (sigmoid, LOGISTIC); positive when >= threshold"}
    metadata["outputs"][o_att] = {"index": o_att, "name": "modality_attention", **out_specs[o_att],
                                  "meaning": "attention mass received by [image, audio] tokens; sums to about 1"}
    with open(os.path.join(args.out, "metadata.json"), "w") as f:
        json.dump(metadata, f, indent=1)

    report = ["# " + metadata["name"] + ": training report", "",
              f"model: {len(flat)} bytes, {info.get('macs')} MACs, sha256 {sha}", "",
              "operators: " + ", ".join(f"{k} x{v}" for k, v in info["operators"].items()), "",
              f"train {len(tr_y)}, test {len(te_y)} ({test_source}); accuracy / F1 at threshold 0.5", "",
              *([("loss weights in rendered-room frames: " + ", ".join(
                  f"{n} x{v['weight']:g} ({v['samples']} samples, {v['positives']} positive)" for n, v in loss_weights.items())), ""]
                if loss_weights else []),
              table(labels, {"float": float_metrics, "int8 (tflite-micro)": int8_metrics}), "",
              "## Single-modality ablation (float)", "",
              table(labels, {"audio+image": float_metrics, **ablation}), "",
              f"mean modality attention [image, audio]: float {metadata['mean_attribution']['float']}, "
              f"int8 {metadata['mean_attribution']['int8']}", ""]
    if baseline is not None:
        report += ["## Before and after: synthetic held-out set (int8, tflite-micro)", "",
                   f"before = {args.baseline} (sha256 {baseline['sha256'][:16]}), after = this model; same test/ split",
                   "", table(labels, {"before": baseline["int8"], "after": int8_metrics}), "",
                   "F1 change per label (after - before): " + ", ".join(
                       f"{n} {int8_metrics[n]['f1'] - baseline['int8'][n]['f1']:+.3f}" for n in labels), ""]
    if real is not None:
        cols = {"after": real["int8"]} if baseline is None or "real_int8" not in baseline else \
            {"before": baseline["real_int8"], "after": real["int8"]}
        checks = {"after": real["checks"]} if len(cols) == 1 else {"before": baseline["real_checks"], "after": real["checks"]}
        report += ["## Real held-out set (int8, tflite-micro)", "",
                   f"{real['samples']} samples of tools/train/real_data.py's evaluation pool (tools/train/DATA.md), "
                   "never trained on: photographs with digital silence, recordings with a black frame. "
                   "False-positive rate = share of the label's known negatives scored >= 0.5; recall = share of its "
                   "positives scored >= 0.5 (door_open and light_on are unknown for photographs and not scored).", "",
                   real_table(labels, cols), "", "Acceptance conditions of issue 14, on this set:", "",
                   checks_table(checks), ""]
        for k, c in checks.items():
            failed = [n for g in c.values() for n in g["failed"]]
            report.append(f"{k}: failed {len(failed)}: " + (", ".join(failed) if failed else "none"))
        report.append("")
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("\n".join(report))
    log("\n".join(report))
    log(info_text)
    log(f"wrote {args.out} in {time.time() - started:.0f} s; sha256 {sha}")


if __name__ == "__main__":
    main()
