#!/usr/bin/env python3
"""Runs the demo scene (models/perch-av/demo, written by make_demo.py) through the real pipeline
and prints the label probabilities per window.

    tools/train/demo_timeline.py [--demo models/perch-av/demo] [--perch .build/release/perch]
                                 [--hop 0.5] [--check]

For a 1 s audio window every `--hop` seconds over the loop (wrapping around its end): the cut
goes through `perch audio features`, the camera frame shown when the window completes (the
latest frame, as a live camera would give) through `perch image tensor --model --normalize unit`,
and both through `perch model run`; the int8 outputs are dequantized with metadata.json.
`--check` also compares the fused labels with the schedule of make_demo.py: every fused event
must reach > 0.8 in its segment and stay < 0.3 in all other segments (exit status 1 otherwise).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import synth  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SHORT = {"speech": "speech", "doorbell": "bell", "smoke_alarm": "smoke", "knock": "knock",
         "glass_break": "glass", "person": "person", "door_open": "door", "light_on": "light",
         "visitor": "VISITOR", "unattended_alarm": "UNATT", "break_in": "BREAKIN"}


def run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL)


def read_frames(path):
    frames = []
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if line:
            name, ms = line.split()
            frames.append((name, int(ms)))
    return frames


def frame_at(frames, t_ms):
    """The frame on screen at t (ms into the loop)."""
    total = sum(ms for _, ms in frames)
    t_ms %= total
    for name, ms in frames:
        if t_ms < ms:
            return name
        t_ms -= ms
    return frames[-1][0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--demo", default=os.path.join(ROOT, "models", "perch-av", "demo"))
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "perch-av"))
    ap.add_argument("--perch", default=os.path.join(ROOT, ".build", "release", "perch"))
    ap.add_argument("--hop", type=float, default=0.5)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()

    meta = json.load(open(os.path.join(args.model, "metadata.json")))
    model = os.path.join(args.model, meta["model"])
    labels = meta["labels"]
    att_q = meta["outputs"][meta["attribution_output_index"]]
    lab_q = meta["outputs"][meta["labels_output_index"]]
    audio, rate = synth.read_wav(os.path.join(args.demo, "demo.wav"))
    if rate != synth.RATE:
        raise SystemExit(f"demo.wav: expected {synth.RATE} Hz, got {rate}")
    frames = read_frames(os.path.join(args.demo, "frames.txt"))
    loop_ms = sum(ms for _, ms in frames)
    if abs(loop_ms - len(audio) * 1000 / rate) > 1:
        raise SystemExit(f"frames.txt lasts {loop_ms} ms but demo.wav {len(audio) * 1000 / rate:.0f} ms")

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tensors = {}
        for name, _ in frames:
            if name not in tensors:
                tensors[name] = os.path.join(tmp, name + ".img")
                run(args.perch, "image", "tensor", os.path.join(args.demo, name), "--model", model,
                    "--normalize", "unit", "--output", tensors[name])
        hop = int(round(args.hop * rate))
        for start in range(0, len(audio), hop):
            idx = np.arange(start, start + rate) % len(audio)   # wrap: the demo loops
            cut = os.path.join(tmp, "cut.wav")
            synth.write_wav(cut, audio[idx] * 32768.0 / 32767.0)
            feats = os.path.join(tmp, "cut.aud")
            run(args.perch, "audio", "features", cut, "--output", feats)
            end_ms = (start + rate) * 1000 // rate
            name = frame_at(frames, end_ms - 1)
            att, out = os.path.join(tmp, "att.bin"), os.path.join(tmp, "labels.bin")
            run(args.perch, "model", "run", model, "--input", tensors[name], "--input", feats,
                "--output", att, "--output", out)
            q = np.fromfile(out, np.int8).astype(np.float64)
            probs = (q - lab_q["zero_points"][0]) * lab_q["scales"][0]
            a = (np.fromfile(att, np.int8).astype(np.float64) - att_q["zero_points"][0]) * att_q["scales"][0]
            rows.append((start / rate, name, probs, a))

    header = f"{'window (s)':>12} {'frame':<12}" + "".join(f"{SHORT.get(l, l):>8}" for l in labels) + "  att[img,aud]"
    print(header)
    for t, name, probs, a in rows:
        cells = "".join(f"{p:8.2f}" for p in probs)
        print(f"{t:5.1f}-{t + 1:<6.1f} {name:<12}{cells}  [{a[0]:.2f},{a[1]:.2f}]")

    if not args.check:
        return
    import make_demo
    ok = True
    for start, end, _, _, _, fused in make_demo.SEGMENTS:
        for label in ("visitor", "unattended_alarm", "break_in"):
            k = labels.index(label)
            # Windows that complete inside the segment.
            inside = [p[k] for t, _, p, _ in rows
                      if start < (t + 1 if t + 1 <= make_demo.LOOP else t + 1 - make_demo.LOOP) <= end]
            if not inside:
                continue
            if label == fused and max(inside) <= 0.8:
                print(f"FAIL {label}: max {max(inside):.2f} <= 0.8 in {start:g}-{end:g} s")
                ok = False
            if label != fused and max(inside) >= 0.3:
                print(f"FAIL {label}: {max(inside):.2f} >= 0.3 in {start:g}-{end:g} s")
                ok = False
    print("check: fused events fire only in their segments" if ok else "check failed")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
