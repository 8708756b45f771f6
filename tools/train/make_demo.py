#!/usr/bin/env python3
"""Writes the demo assets of `perchd --demo`: a looping scripted scene for the default model.

    tools/train/make_demo.py [--out models/perch-av/demo]

The scene is rendered with the same procedural sounds and camera frames as the training data
(synth.py), with fixed seeds, so the same command writes the same files byte for byte:

    demo.wav     the whole loop, 16 kHz mono 16-bit PCM (continuous room tone, seamless loop)
    *.ppm        the distinct camera frames, 160x120 RGB (P6), one room seen throughout
    frames.txt   the camera's playlist: one line per keyframe, "FILE DURATION_MS"
    schedule.md  what happens when and which labels the model is expected to give

`tools/train/demo_timeline.py` checks the assets through the real pipeline (perch audio
features, perch image tensor, perch model run) and prints the label probabilities per window.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402

RATE = synth.RATE
SEED = 2024

# One room throughout: its layout comes from ROOM_SEED, the figure from FIGURE_SEED, lighting and
# sensor noise from LIGHT_SEED (synth.render_frame's separate generators).
ROOM_SEED, FIGURE_SEED, LIGHT_SEED = 7, 25, 3
DOORBELL_SEED = 12

# Distinct frames: file -> (person, door_open, light_on, figure at the door)
FRAMES = {
    "room.ppm": (False, False, True, None),           # empty room, door closed, light on
    "visitor.ppm": (True, True, True, True),          # a figure in the open doorway
    "person.ppm": (True, False, True, False),         # the figure inside, door closed behind it
    "dark.ppm": (False, False, False, None),          # empty room, light off
}

# The script: (start s, end s, frame, what happens, expected labels, expected fused label)
SEGMENTS = [
    (0.0, 4.0, "room.ppm", "empty room, light on, door closed; quiet room tone",
     "light_on", None),
    (4.0, 9.0, "visitor.ppm", "a figure appears in the open door; the doorbell rings (4.5 s) and "
     "they knock (6.5 s)", "person, door_open, light_on, doorbell, knock", "visitor"),
    (9.0, 13.5, "person.ppm", "the figure is inside, door closed; they speak (9.5 s \"hello\", "
     "10.7 s \"who is it\", 11.8 s \"thank you\")", "person, light_on, speech", None),
    (13.5, 18.0, "room.ppm", "empty room again; the smoke alarm sounds its temporal-three pattern "
     "(beeps 13.5-14, 14.5-15, 15.5-16 s)", "light_on, smoke_alarm", "unattended_alarm"),
    (18.0, 22.0, "dark.ppm", "the light goes off; glass breaks (19.0 s)", "glass_break",
     "break_in"),
]
LOOP = SEGMENTS[-1][1]

# Levels: room tone RMS -42 dBFS; events' active RMS 18 dB above it (inside the training SNRs).
ROOM_TONE_RMS = 10 ** (-42 / 20)
EVENT_SNR_DB = 18.0

UTTERANCES = [(9.5, "hello", "en-us", 150, 45), (10.7, "who is it", "en-gb", 160, 55),
              (11.8, "thank you", "en-us+m3", 150, 40)]


def room_tone(n):
    """Continuous room tone for the whole loop: pink-ish noise and a weak 50 Hz hum. Both are
    periodic over the loop (FFT noise, whole hum periods), so the loop has no seam."""
    rng = np.random.default_rng([SEED, 1])
    x = synth._coloured_noise(rng, n, 1.2)
    t = np.arange(n) / RATE
    x = x + 0.3 * sum(np.sin(2 * np.pi * 50 * k * t) / k for k in range(1, 4))
    return x / np.sqrt(np.mean(x ** 2)) * ROOM_TONE_RMS


def onset(x):
    idx = np.flatnonzero(np.abs(x) > 0.02 * np.abs(x).max())
    return idx[0] if len(idx) else 0


def place(track, sound, at_s, trim=True):
    """Adds `sound` (peak about 1) so that its onset is at `at_s`, at EVENT_SNR_DB over the
    room tone (active RMS, as synth.audio_clip measures it)."""
    if trim:
        sound = sound[onset(sound):]
        idx = np.flatnonzero(np.abs(sound) > 0.01)
        sound = sound[:idx[-1] + 1] if len(idx) else sound
    active = np.abs(sound) > 0.05
    rms = np.sqrt(np.mean(sound[active] ** 2)) if active.any() else 1.0
    sound = sound / rms * ROOM_TONE_RMS * 10 ** (EVENT_SNR_DB / 20)
    start = int(round(at_s * RATE))
    end = min(len(track), start + len(sound))
    track[start:end] += sound[:end - start]


def utterance(text, voice, speed, pitch, workdir):
    """One espeak-ng utterance, 16 kHz, trimmed, peak 1."""
    path = os.path.join(workdir, "utterance.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path, text],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    x, rate = synth.read_wav(path)
    x = synth.resample(x, rate, RATE)
    return x / (np.abs(x).max() + 1e-9)


def t3_alarm(seconds, frequency=3150.0):
    """ISO 8201 temporal-three: three 0.5 s beeps 0.5 s apart, the recipe of synth.smoke_alarm
    (piezo tone, slight warble, sub-harmonic, soft edges) for one burst."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    on = ((t >= 0) & (t < 0.5)) | ((t >= 1.0) & (t < 1.5)) | ((t >= 2.0) & (t < 2.5))
    warble = 1 + 0.004 * np.sin(2 * np.pi * 12 * t)
    tone = np.sin(2 * np.pi * frequency * warble * t) + 0.15 * np.sin(2 * np.pi * (frequency / 2) * t)
    ramp = np.convolve(on.astype(float), np.ones(48) / 48, mode="same")
    x = tone * ramp
    return x / np.abs(x).max()


def soundtrack():
    synth.require_espeak()
    n = int(LOOP * RATE)
    track = room_tone(n)
    place(track, synth.doorbell(np.random.default_rng([SEED, DOORBELL_SEED])), 4.5)
    place(track, synth.knock(np.random.default_rng([SEED, 3])), 6.5)
    with tempfile.TemporaryDirectory() as tmp:
        for at, text, voice, speed, pitch in UTTERANCES:
            place(track, utterance(text, voice, speed, pitch, tmp), at)
    place(track, t3_alarm(2.5), 13.5, trim=False)
    place(track, synth.glass_break(np.random.default_rng([SEED, 5])), 19.0)
    peak = np.abs(track).max()
    assert peak < 0.9, f"clipping risk: peak {peak:.2f}"
    return track


def frame(person, door_open, light_on, at_door):
    return synth.render_frame(np.random.default_rng([SEED, ROOM_SEED]), person, door_open, light_on,
                              figure_rng=np.random.default_rng([SEED, FIGURE_SEED]),
                              light_rng=np.random.default_rng([SEED, LIGHT_SEED]), at_door=at_door)


def schedule_md():
    lines = ["# perch-av demo scene", "",
             f"A {LOOP:g} s loop for `perchd --demo` (written by `tools/train/make_demo.py`; check it with",
             "`tools/train/demo_timeline.py`). `demo.wav` is the microphone (16 kHz mono 16-bit), "
             "`frames.txt` the camera",
             "(`FILE DURATION_MS` per line, played in order and looped: `device = sequence:PATH/frames.txt`).",
             "", "| time (s) | frame | what happens | labels expected | fused event |", "|---|---|---|---|---|"]
    for start, end, name, what, labels, fused in SEGMENTS:
        lines.append(f"| {start:g}-{end:g} | `{name}` | {what} | {labels} | {('**' + fused + '**') if fused else '-'} |")
    lines += ["", "Each sound ends at least 1 s before its segment does, so every 1 s audio window that hears",
              "it completes while the segment's frame is on screen. The model sees a 1 s window with the",
              "frame shown when the window completes; windows that hold only the start or the decaying",
              "tail of a sound may give intermediate probabilities. The fused labels need both inputs:",
              "`visitor` = person AND (doorbell OR knock), `unattended_alarm` = smoke alarm AND no person,",
              "`break_in` = glass break AND light off.", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "models", "perch-av", "demo"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    synth.write_wav(os.path.join(args.out, "demo.wav"), soundtrack())
    for name, state in FRAMES.items():
        synth.write_ppm(os.path.join(args.out, name), frame(*state))
    with open(os.path.join(args.out, "frames.txt"), "w") as f:
        f.write(f"# perch-av demo camera: FILE DURATION_MS, looped ({LOOP:g} s, as demo.wav)\n")
        for start, end, name, *_ in SEGMENTS:
            f.write(f"{name} {int(round((end - start) * 1000))}\n")
    with open(os.path.join(args.out, "schedule.md"), "w") as f:
        f.write(schedule_md())
    total = sum(os.path.getsize(os.path.join(args.out, p)) for p in os.listdir(args.out))
    print(f"wrote {args.out}: {len(os.listdir(args.out))} files, {total} bytes")


if __name__ == "__main__":
    main()
