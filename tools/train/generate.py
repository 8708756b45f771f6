#!/usr/bin/env python3
"""Writes the synthetic smart-home audio-visual dataset in the format train.py reads.

    tools/train/generate.py --out /tmp/perch-av-data [--train 4000] [--test 1000] [--seed 1234]

Each sample is a 1 s 16 kHz mono WAV (an audio event, or none, over room tone) and a 160x120
PPM camera frame (a room with a door: figure present or not, door open or closed, light on or
off), with labels that are audio-only, image-only or fused (need both). Speech is spoken by
espeak-ng; the test split uses utterances (voice, variant, speed, pitch, word) never heard in
training. The same seed writes the same files byte for byte.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="dataset folder to write (created)")
    ap.add_argument("--train", type=int, default=4000, help="training samples (default 4000)")
    ap.add_argument("--test", type=int, default=1000, help="held-out test samples (default 1000)")
    ap.add_argument("--seed", type=int, default=1234, help="seed of everything (default 1234)")
    ap.add_argument("--utterances", type=int, default=400, help="espeak-ng utterances in the speech bank")
    ap.add_argument("--p-person", type=float, default=0.5)
    ap.add_argument("--p-door-open", type=float, default=0.5)
    ap.add_argument("--p-light-on", type=float, default=0.5)
    ap.add_argument("--real", type=float, default=0.0,
                    help="share of samples whose image or sound is real, a hard negative or blank "
                         "(photographs and recordings of real_data.py's training pool; 0 = the synthetic task only)")
    ap.add_argument("--real-eval", metavar="DIR",
                    help="instead: write the held-out real evaluation set (real_data.py's eval pool) to DIR/test")
    args = ap.parse_args()
    if args.real_eval:
        import real_inputs
        real_inputs.write_eval(args.real_eval)
        return

    synth.require_espeak()
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        bank = synth.speech_bank(np.random.default_rng([args.seed, 99]), args.utterances, tmp)
    # Disjoint utterances for train and test: 80 % / 20 % of the bank.
    order = np.random.default_rng([args.seed, 98]).permutation(len(bank))
    cut = int(0.8 * len(bank))
    banks = {"train": [bank[i] for i in order[:cut]], "test": [bank[i] for i in order[cut:]]}

    names = [name for name, _, _ in synth.LABELS]
    with open(os.path.join(args.out, "labels.txt"), "w") as f:
        f.write("\n".join(names) + "\n")

    mixer = None
    if args.real > 0:
        import real_inputs
        mixer = real_inputs.Mixer(args.real)
    summary = {"generator": "tools/train/generate.py", "seed": args.seed,
               "espeak_ng": subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.strip(),
               "audio": "1 s 16 kHz mono 16-bit WAV: one of " + ", ".join(synth.AUDIO_EVENTS)
                        + " (uniform) over room tone at 0-25 dB SNR, peak -30..-3 dBFS",
               "image": f"{synth.FRAME_W}x{synth.FRAME_H} RGB PPM camera frame: room with a door; "
                        f"P(person)={args.p_person}, P(door open)={args.p_door_open}, P(light on)={args.p_light_on}; "
                        "sensor noise, dim bluish frames when the light is off, distractor furniture",
               "labels": {name: {"modality": mod, "definition": text} for name, mod, text in synth.LABELS},
               "speech_utterances": {k: len(v) for k, v in banks.items()},
               "splits": {}}
    for split_id, (split, count) in enumerate((("train", args.train), ("test", args.test))):
        folder = os.path.join(args.out, split)
        os.makedirs(folder, exist_ok=True)
        counts = collections.Counter()
        rows = []
        for i in range(count):
            rng = np.random.default_rng([args.seed, split_id, i])
            name = f"{split}{i:05d}"
            if mixer is not None and split == "train" and mixer.wants(rng):
                wav, frame, labels, unknown = mixer.sample(rng, banks[split])
                synth.write_wav(os.path.join(folder, name + ".wav"), wav)
                synth.write_ppm(os.path.join(folder, name + ".ppm"), frame)
                counts.update(labels)
                counts.update("?" + u for u in unknown)
                rows.append(f"{name},{';'.join(labels)},{';'.join(unknown)}")
                continue
            event = synth.AUDIO_EVENTS[rng.integers(len(synth.AUDIO_EVENTS))]
            person = bool(rng.random() < args.p_person)
            door_open = bool(rng.random() < args.p_door_open)
            light_on = bool(rng.random() < args.p_light_on)
            synth.write_wav(os.path.join(folder, name + ".wav"), synth.audio_clip(rng, event, banks[split]))
            synth.write_ppm(os.path.join(folder, name + ".ppm"), synth.render_frame(rng, person, door_open, light_on))
            labels = synth.label_set(event, person, door_open, light_on)
            counts.update(labels)
            rows.append(f"{name},{';'.join(labels)}," if mixer is not None else f"{name},{';'.join(labels)}")
            if (i + 1) % 500 == 0:
                print(f"{split}: {i + 1}/{count}", flush=True)
        with open(os.path.join(folder, "labels.csv"), "w") as f:
            f.write(("name,labels,unknown\n" if mixer is not None else "name,labels\n") + "\n".join(rows) + "\n")
        summary["splits"][split] = {"samples": count, "positives": {n: counts[n] for n in names},
                                    "unknown": {n: counts["?" + n] for n in names if counts["?" + n]}}
        if mixer is not None and split == "train":
            summary["splits"][split]["kinds"] = dict(sorted(mixer.kinds.items()))
    if mixer is not None:
        summary["real"] = mixer.describe()
    with open(os.path.join(args.out, "dataset.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary["splits"], indent=1))


if __name__ == "__main__":
    main()
