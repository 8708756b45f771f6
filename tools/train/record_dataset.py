#!/usr/bin/env python3
"""Turn folders recorded by perchd's [record] into one dataset train.py reads.

    tools/train/record_dataset.py --out DATA REC1 [REC2 ...] [--teacher person=person_detect.tflite]
    tools/train/train.py --data DATA --out models/my-model

Each RECORDED folder is what perchd writes (docs/configuration.md [record]): labels.txt,
train/labels.csv ("name,labels"), train/NAME.wav, train/NAME.ppm. They must share labels.txt.
DATA gets labels.txt, train/labels.csv and symbolic links to the recordings (named
rI-NAME, I the folder's position), and dataset.json saying where everything came from.

Windows recorded without a label are negatives for every label, unless a teacher says
otherwise: --teacher LABEL=MODEL.tflite[@INDEX] runs MODEL on each unlabelled frame with
`perch image tensor --model MODEL` and `perch model run` (exactly as perchd would feed it) and
adds LABEL when output element INDEX (default 1, e.g. person_detect's "person") dequantized
is at least --teacher-threshold. --labels A,B keeps only those labels, in that order (the
new model's outputs); other recorded labels count as negatives. Only the standard library;
no TensorFlow needed. --metadata MODEL/metadata.json (the model that recorded) puts its
label_modalities into dataset.json, so the new model's metadata.json has them too.
"""
import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def find_perch(path):
    for c in ([path] if path else [os.path.join(REPO, ".build/release/perch"), os.path.join(REPO, ".build/debug/perch")]):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise SystemExit("perch not found: build it first (swift build --product perch) or pass --perch PATH")


def read_labels(folder):
    path = os.path.join(folder, "labels.txt")
    if not os.path.isfile(path):
        raise SystemExit(f"{folder}: no labels.txt (is it a folder perchd's [record] wrote?)")
    with open(path) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


class Teacher:
    """A model that labels frames: LABEL=MODEL.tflite[@INDEX]."""

    def __init__(self, spec, perch, labels, normalize, threshold):
        m = re.fullmatch(r"([^=]+)=(.+?)(?:@(\d+))?", spec)
        if not m:
            raise SystemExit(f"--teacher {spec}: expected LABEL=MODEL.tflite[@INDEX]")
        self.label, self.model, self.index = m.group(1), m.group(2), int(m.group(3) or 1)
        if self.label not in labels:
            raise SystemExit(f"--teacher {spec}: {self.label!r} is not one of the dataset's labels ({', '.join(labels)})")
        if not os.path.isfile(self.model):
            raise SystemExit(f"--teacher {spec}: {self.model}: no such file")
        self.perch, self.normalize, self.threshold = perch, normalize, threshold
        info = subprocess.run([perch, "model", "info", self.model], capture_output=True, text=True)
        outputs = re.findall(r"^  (\d+): .* int8 \[([0-9, ]+)\] .* scale ([0-9.eE+-]+) zero point (-?\d+)$",
                             info.stdout.split("outputs:")[-1], re.M)
        if info.returncode != 0 or not outputs:
            raise SystemExit(f"--teacher {spec}: perch cannot run {self.model}: {info.stdout}{info.stderr}")
        _, shape, scale, zero = outputs[0]
        self.size = 1
        for d in shape.split(","):
            self.size *= int(d)
        if self.index >= self.size:
            raise SystemExit(f"--teacher {spec}: output 0 has {self.size} elements, no index {self.index}")
        self.scale, self.zero = float(scale), int(zero)
        self.tmp = tempfile.mkdtemp(prefix="perch-teacher-")
        self.labelled = self.seen = 0

    def score(self, image):
        tensor, out = os.path.join(self.tmp, "in.bin"), os.path.join(self.tmp, "out.bin")
        for cmd in ([self.perch, "image", "tensor", image, "--model", self.model, "--normalize", self.normalize,
                     "--output", tensor],
                    [self.perch, "model", "run", self.model, "--input", tensor, "--output", out]):
            run = subprocess.run(cmd, capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(f"teacher {self.label} on {image}: {' '.join(cmd[1:3])} failed: {run.stderr.strip() or run.stdout.strip()}")
        with open(out, "rb") as f:
            raw = f.read()
        q = raw[self.index] - 256 if raw[self.index] > 127 else raw[self.index]
        return (q - self.zero) * self.scale

    def applies(self, image):
        self.seen += 1
        if self.score(image) >= self.threshold:
            self.labelled += 1
            return True
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recorded", nargs="+", help="folders written by perchd's [record]")
    ap.add_argument("--out", required=True, help="dataset folder to write (train.py --data)")
    ap.add_argument("--teacher", action="append", default=[], help="LABEL=MODEL.tflite[@INDEX]: label unlabelled frames")
    ap.add_argument("--teacher-threshold", type=float, default=0.5)
    ap.add_argument("--teacher-normalize", default="minus128", choices=["unit", "symmetric", "minus128"],
                    help="how the teacher expects pixels (person_detect: minus128, as in config/perchd.conf)")
    ap.add_argument("--labels", help="comma-separated labels to keep, in output order (default: the recorded labels.txt)")
    ap.add_argument("--metadata", help="the recording model's metadata.json: its label_modalities go into dataset.json "
                                       "(train.py copies them into the new model's metadata.json)")
    ap.add_argument("--perch", help="perch executable (default: .build/release/perch or .build/debug/perch)")
    args = ap.parse_args()

    recorded = read_labels(args.recorded[0])
    for folder in args.recorded[1:]:
        if read_labels(folder) != recorded:
            raise SystemExit(f"{folder}/labels.txt differs from {args.recorded[0]}/labels.txt: record with the same model")
    labels = recorded
    if args.labels:
        labels = [s.strip() for s in args.labels.split(",") if s.strip()]
        unknown = [label for label in labels if label not in recorded]
        if unknown or not labels or len(set(labels)) != len(labels):
            raise SystemExit(f"--labels {args.labels}: expected distinct labels among {', '.join(recorded)}")
    for folder in args.recorded:  # DATA's train/ is emptied first: it must not be a recording
        if os.path.realpath(args.out) == os.path.realpath(folder):
            raise SystemExit(f"--out {args.out} is a recorded folder: write the dataset somewhere else")
    modalities = None
    if args.metadata:
        try:
            with open(args.metadata) as f:
                modalities = json.load(f)["label_modalities"]
            missing_labels = [label for label in labels if label not in modalities]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SystemExit(f"--metadata {args.metadata}: cannot read label_modalities: {e}")
        if missing_labels:
            raise SystemExit(f"--metadata {args.metadata}: label_modalities lacks {', '.join(missing_labels)}")
    perch = find_perch(args.perch) if args.teacher else None
    teachers = [Teacher(t, perch, labels, args.teacher_normalize, args.teacher_threshold) for t in args.teacher]

    train = os.path.join(args.out, "train")
    os.makedirs(train, exist_ok=True)
    for entry in os.listdir(train):  # a rerun starts clean
        os.remove(os.path.join(train, entry))
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("\n".join(labels) + "\n")

    rows, missing, counts = [], 0, {label: 0 for label in labels}
    for i, folder in enumerate(args.recorded):
        index = os.path.join(folder, "train", "labels.csv")
        if not os.path.isfile(index):
            raise SystemExit(f"{folder}: no train/labels.csv (nothing recorded yet?)")
        with open(index, newline="") as f:
            for row in csv.DictReader(f):
                name = row["name"].strip()
                wav, ppm = (os.path.abspath(os.path.join(folder, "train", name + e)) for e in (".wav", ".ppm"))
                if not (os.path.isfile(wav) and os.path.isfile(ppm)):
                    missing += 1  # rotated away while we read, or recorded without camera/microphone
                    continue
                row_labels = [s.strip() for s in row["labels"].split(";") if s.strip()]
                for label in row_labels:
                    if label not in recorded:
                        raise SystemExit(f"{index}: {name}: unknown label {label!r} (not in labels.txt)")
                unlabelled = not row_labels
                row_labels = [label for label in row_labels if label in labels]
                if unlabelled:
                    row_labels = [t.label for t in teachers if t.applies(ppm)]
                new = f"r{i}-{name}"
                os.symlink(wav, os.path.join(train, new + ".wav"))
                os.symlink(ppm, os.path.join(train, new + ".ppm"))
                rows.append((new, ";".join(row_labels)))
                for label in row_labels:
                    counts[label] += 1
    if not rows:
        raise SystemExit("no recordings with both a .wav and a .ppm in " + ", ".join(args.recorded))
    with open(os.path.join(train, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "labels"])
        w.writerows(rows)
    summary = {
        "source": "perchd [record] folders", "folders": [os.path.abspath(p) for p in args.recorded],
        "windows": len(rows), "skipped_incomplete": missing,
        "positives": {k: v for k, v in counts.items() if v},
        "teachers": [{"label": t.label, "model": os.path.abspath(t.model), "output_index": t.index,
                      "threshold": t.threshold, "normalize": t.normalize, "unlabelled_frames": t.seen,
                      "labelled": t.labelled} for t in teachers],
    }
    if modalities is not None:  # the layout train.py reads: labels.NAME.modality
        summary["labels"] = {label: {"modality": modalities[label], "positives": counts[label]} for label in labels}
    with open(os.path.join(args.out, "dataset.json"), "w") as f:
        json.dump(summary, f, indent=1)
    for t in teachers:
        shutil.rmtree(t.tmp, ignore_errors=True)
    line = f"record_dataset: {len(rows)} windows from {len(args.recorded)} folders into {args.out}"
    if missing:
        line += f" ({missing} incomplete skipped)"
    for t in teachers:
        line += f"; teacher {t.label}: {t.labelled} of {t.seen} unlabelled frames"
    print(line)


if __name__ == "__main__":
    sys.exit(main())
