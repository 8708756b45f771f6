"""Procedural audio events and camera frames for the synthetic smart-home dataset.

Everything here is numpy with an explicit `np.random.Generator`, so a seed fixes every sample.
Audio is 1 s of 16 kHz mono float in [-1, 1]; frames are uint8 RGB camera images (H x W x 3).
"""
import os
import shutil
import subprocess
import tempfile
import wave

import numpy as np

RATE = 16000
CLIP = RATE  # 1 s

AUDIO_EVENTS = ["none", "speech", "doorbell", "smoke_alarm", "knock", "glass_break"]

# The synthetic task's labels: what each needs (audio, image or both) and how it is defined.
LABELS = [
    ("speech", "audio", "someone speaks (espeak-ng keywords, many voices)"),
    ("doorbell", "audio", "a doorbell chime"),
    ("smoke_alarm", "audio", "a smoke alarm's temporal-three beeps"),
    ("knock", "audio", "knocking"),
    ("glass_break", "audio", "glass breaking"),
    ("person", "image", "a figure is in view"),
    ("door_open", "image", "the door is open"),
    ("light_on", "image", "the room light is on"),
    ("visitor", "fused", "person in view AND (doorbell OR knock)"),
    ("unattended_alarm", "fused", "smoke_alarm AND no person in view"),
    ("break_in", "fused", "glass_break AND light off"),
]


def label_set(event, person, door_open, light_on):
    """The labels of a synthetic sample."""
    return labels_known(event, person, door_open, light_on)[0]


SAME = object()


def labels_known(event, person, door_open, light_on, seen_person=SAME, seen_light=SAME):
    """(labels that are on, labels that are unknown) of a sample. person, door_open, light_on may
    be None (unknown: a photograph shows no door and says nothing of a room light). The fused
    labels use what the camera shows of the scene (seen_person, seen_light; by default the image
    labels): a black frame shows no person and no light, yet says neither that the room is
    empty nor that it is dark, so a fused label that depends on it is unknown there."""
    seen_person = person if seen_person is SAME else seen_person
    seen_light = light_on if seen_light is SAME else seen_light
    on, unknown = {event} - {"none"}, set()
    for name, value in (("person", person), ("door_open", door_open), ("light_on", light_on)):
        if value is None:
            unknown.add(name)
        elif value:
            on.add(name)

    def fused(name, needs_event, value):
        if not needs_event:
            return
        if value is None:
            unknown.add(name)
        elif value:
            on.add(name)

    fused("visitor", event in ("doorbell", "knock"), seen_person)
    fused("unattended_alarm", event == "smoke_alarm", None if seen_person is None else not seen_person)
    fused("break_in", event == "glass_break", None if seen_light is None else not seen_light)
    order = [name for name, _, _ in LABELS].index
    return sorted(on, key=order), sorted(unknown, key=order)

# ---------------------------------------------------------------------------------------------
# WAV helpers


def write_wav(path, samples, rate=RATE):
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def read_wav(path):
    with wave.open(path, "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        data = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"{path}: only 16-bit PCM WAV is supported")
    x = np.frombuffer(data, "<i2").astype(np.float64) / 32768.0
    return x.reshape(-1, channels).mean(axis=1), rate


def resample(x, rate_in, rate_out):
    """Band-limited resampling through the FFT (clips are short)."""
    if rate_in == rate_out:
        return x
    n_out = int(round(len(x) * rate_out / rate_in))
    spectrum = np.fft.rfft(x)
    keep = min(len(spectrum), n_out // 2 + 1)
    out_spectrum = np.zeros(n_out // 2 + 1, dtype=complex)
    out_spectrum[:keep] = spectrum[:keep]
    return np.fft.irfft(out_spectrum, n_out) * (n_out / len(x))


# ---------------------------------------------------------------------------------------------
# Speech through espeak-ng

KEYWORDS = ["hello", "help", "stop", "yes", "no", "open", "lights", "perch", "hey", "come in",
            "thank you", "goodbye", "who is it", "wait"]
VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan",
          "en-gb-x-gbcwmd"]
VARIANTS = ["", "+m1", "+m2", "+m3", "+m4", "+m5", "+f1", "+f2", "+f3", "+f4", "+f5", "+croak",
            "+klatt", "+whisper"]


def require_espeak():
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed: the speech clips are spoken by it.\n"
                         "Install it with: sudo apt-get install espeak-ng   (Debian/Ubuntu)")


def speech_bank(rng, count, workdir):
    """`count` distinct keyword utterances (voice, variant, speed, pitch drawn from rng),
    trimmed of silence, resampled to 16 kHz and at most 0.95 s long. Returns a list of
    (description, samples)."""
    require_espeak()
    bank, seen = [], set()
    attempts = 0
    while len(bank) < count:
        attempts += 1
        if attempts > count * 20:
            raise RuntimeError("espeak-ng produced too few usable utterances")
        word = KEYWORDS[rng.integers(len(KEYWORDS))]
        voice = VOICES[rng.integers(len(VOICES))] + VARIANTS[rng.integers(len(VARIANTS))]
        speed = int(rng.integers(130, 231))
        pitch = int(rng.integers(20, 81))
        key = (word, voice, speed // 10, pitch // 10)
        if key in seen:
            continue
        seen.add(key)
        path = os.path.join(workdir, "utterance.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path, word],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        x, rate = read_wav(path)
        x = resample(x, rate, RATE)
        envelope = np.abs(x) > 0.02 * (np.abs(x).max() + 1e-9)
        idx = np.flatnonzero(envelope)
        if len(idx) == 0:
            continue
        x = x[max(0, idx[0] - 160): idx[-1] + 160]
        if len(x) > int(0.95 * RATE) or len(x) < int(0.15 * RATE):
            continue
        bank.append((f"{word}|{voice}|s{speed}|p{pitch}", x / (np.abs(x).max() + 1e-9)))
    return bank


# ---------------------------------------------------------------------------------------------
# Sound events (each returns a float array of CLIP samples, peak about 1)

def _t(n=CLIP):
    return np.arange(n) / RATE


def _fft_filter(x, low, high):
    """Brick-wall band-pass through the FFT (cheap and exact enough for synthesis)."""
    spectrum = np.fft.rfft(x)
    freqs = np.fft.rfftfreq(len(x), 1 / RATE)
    spectrum[(freqs < low) | (freqs > high)] = 0
    return np.fft.irfft(spectrum, len(x))


def _coloured_noise(rng, n, exponent):
    """Noise with power spectrum ~ 1/f^exponent (0 white, 1 pink, 2 brown)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    freqs[0] = freqs[1]
    spectrum /= freqs ** (exponent / 2)
    x = np.fft.irfft(spectrum, n)
    return x / (np.std(x) + 1e-12)


def background(rng):
    """Room tone: coloured noise (fan, traffic), mains hum, sometimes soft music-like tones or
    running water. RMS about 1."""
    x = _coloured_noise(rng, CLIP, rng.uniform(0.0, 2.0))
    if rng.random() < 0.3:   # band-limited fan / HVAC
        x = x + rng.uniform(0.5, 2.0) * _fft_filter(_coloured_noise(rng, CLIP, 0), rng.uniform(50, 200),
                                                    rng.uniform(400, 2500))
    if rng.random() < 0.3:   # mains hum with harmonics
        f0 = 50.0 if rng.random() < 0.5 else 60.0
        hum = sum(rng.uniform(0.1, 1.0) / k * np.sin(2 * np.pi * f0 * k * _t() + rng.uniform(0, 6.3))
                  for k in range(1, 6))
        x = x + rng.uniform(0.3, 1.5) * hum
    if rng.random() < 0.2:   # soft music-like chord from another room
        chord = np.zeros(CLIP)
        for _ in range(rng.integers(2, 5)):
            f = rng.uniform(150, 700)
            chord += np.sin(2 * np.pi * f * _t() + rng.uniform(0, 6.3))
        chord *= 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.5, 3) * _t() + rng.uniform(0, 6.3))
        x = x + rng.uniform(0.3, 1.2) * chord
    if rng.random() < 0.15:  # running water: band noise with a slow flutter
        water = _fft_filter(_coloured_noise(rng, CLIP, 0), 800, 6000)
        water *= 1 + 0.5 * np.sin(2 * np.pi * rng.uniform(3, 9) * _t())
        x = x + rng.uniform(0.5, 2.0) * water
    return x / (np.sqrt(np.mean(x ** 2)) + 1e-12)


def speech(rng, bank):
    _, u = bank[rng.integers(len(bank))]
    x = np.zeros(CLIP)
    start = rng.integers(0, CLIP - len(u) + 1)
    x[start:start + len(u)] = u
    return x


def doorbell(rng):
    """Electronic chime: 2 to 4 bell-like notes with inharmonic partials and exponential decay."""
    x = np.zeros(CLIP)
    notes = int(rng.choice([2, 2, 3, 4]))
    base = rng.uniform(450, 1000)
    ratios = [1.0, 0.8, 0.89, 0.67, 0.75][:notes] if rng.random() < 0.5 else \
        list(rng.choice([1.0, 0.84, 0.75, 0.67, 1.12, 1.26], size=notes))
    gap = rng.uniform(0.18, 0.40)
    start = rng.uniform(0.0, max(0.02, 0.9 - gap * (notes - 1) - 0.1))
    tau = rng.uniform(0.15, 0.6)
    t = _t()
    for k in range(notes):
        t0 = start + k * gap
        if t0 >= 1.0:
            break
        f = base * ratios[k]
        tt = t - t0
        on = tt >= 0
        env = np.where(on, np.exp(-np.clip(tt, 0, None) / tau) * (1 - np.exp(-np.clip(tt, 0, None) / 0.003)), 0)
        tone = (np.sin(2 * np.pi * f * tt) + 0.5 * np.sin(2 * np.pi * 2.0 * f * tt)
                + 0.3 * np.sin(2 * np.pi * 2.76 * f * tt) + 0.15 * np.sin(2 * np.pi * 5.4 * f * tt))
        x += env * tone
    return x / (np.abs(x).max() + 1e-9)


def smoke_alarm(rng):
    """ISO 8201 temporal-three pattern (0.5 s on, 0.5 s off, x3, then 1.5 s off) of a ~3.1 kHz
    piezo tone; the 1 s window falls at a random phase that holds at least 0.2 s of beep."""
    f = rng.uniform(2900, 3500)
    t = _t()
    while True:
        phase = rng.uniform(-0.4, 2.4)
        tt = t + phase
        on = ((tt >= 0) & (tt < 0.5)) | ((tt >= 1.0) & (tt < 1.5)) | ((tt >= 2.0) & (tt < 2.5))
        if on.sum() >= 0.2 * RATE:
            break
    warble = 1 + 0.004 * np.sin(2 * np.pi * rng.uniform(5, 30) * t)
    tone = np.sin(2 * np.pi * f * warble * t) + rng.uniform(0, 0.3) * np.sin(2 * np.pi * (f / 2) * t)
    # Soft edges (a few ms) so the onsets are not ideal steps.
    ramp = np.convolve(on.astype(float), np.ones(48) / 48, mode="same")
    x = tone * ramp
    return x / (np.abs(x).max() + 1e-9)


def knock(rng):
    """2 to 5 knocks on wood: short noise excitations through damped low resonances."""
    x = np.zeros(CLIP)
    count = int(rng.integers(2, 6))
    spacing = rng.uniform(0.11, 0.30)
    start = rng.uniform(0.0, max(0.02, 0.95 - spacing * (count - 1)))
    modes = [(rng.uniform(120, 350), rng.uniform(0.015, 0.05)), (rng.uniform(500, 1200), rng.uniform(0.008, 0.025)),
             (rng.uniform(1500, 3000), rng.uniform(0.003, 0.01))]
    n = int(0.12 * RATE)
    tt = np.arange(n) / RATE
    for k in range(count):
        t0 = int((start + k * spacing + rng.uniform(-0.015, 0.015)) * RATE)
        if t0 >= CLIP or t0 < 0:
            continue
        hit = np.zeros(n)
        for f, tau in modes:
            hit += rng.uniform(0.4, 1.0) * np.exp(-tt / tau) * np.sin(2 * np.pi * f * tt + rng.uniform(0, 6.3))
        hit += 0.3 * rng.standard_normal(n) * np.exp(-tt / 0.004)
        hit *= rng.uniform(0.6, 1.0)
        end = min(CLIP, t0 + n)
        x[t0:end] += hit[:end - t0]
    return x / (np.abs(x).max() + 1e-9)


def glass_break(rng):
    """Crash (broadband high-passed noise burst) followed by tinkling high partials."""
    x = np.zeros(CLIP)
    t0 = rng.uniform(0.0, 0.45)
    t = _t()
    tt = t - t0
    on = tt >= 0
    crash = _fft_filter(rng.standard_normal(CLIP), rng.uniform(1000, 2500), 8000)
    x += np.where(on, np.exp(-np.clip(tt, 0, None) / rng.uniform(0.04, 0.15)), 0) * crash * 1.5
    for _ in range(int(rng.integers(10, 35))):
        ts = t0 + rng.exponential(0.15)
        if ts >= 1.0:
            continue
        f = rng.uniform(2500, 7600)
        ttt = t - ts
        env = np.where(ttt >= 0, np.exp(-np.clip(ttt, 0, None) / rng.uniform(0.01, 0.08)), 0)
        x += rng.uniform(0.1, 0.6) * env * np.sin(2 * np.pi * f * ttt)
    return x / (np.abs(x).max() + 1e-9)


def audio_clip(rng, event, bank):
    """1 s mixture: the event (or nothing) over room tone at a random SNR and overall level."""
    bg = background(rng)
    if event == "none":
        x = bg * rng.uniform(0.2, 1.5)
    else:
        sound = {"speech": lambda: speech(rng, bank), "doorbell": lambda: doorbell(rng),
                 "smoke_alarm": lambda: smoke_alarm(rng), "knock": lambda: knock(rng),
                 "glass_break": lambda: glass_break(rng)}[event]()
        active = np.abs(sound) > 0.05
        rms = np.sqrt(np.mean(sound[active] ** 2)) if active.any() else 1.0
        snr_db = rng.uniform(0.0, 25.0)
        x = sound / rms * 10 ** (snr_db / 20) + bg
    peak_db = rng.uniform(-30.0, -3.0)
    return x / (np.abs(x).max() + 1e-9) * 10 ** (peak_db / 20)


# ---------------------------------------------------------------------------------------------
# Camera frames

FRAME_W, FRAME_H = 160, 120


def _ellipse(yy, xx, cy, cx, ry, rx):
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1


def _rect(yy, xx, y0, x0, y1, x1):
    return (yy >= y0) & (yy < y1) & (xx >= x0) & (xx < x1)


def _paint(img, mask, colour):
    img[mask] = colour


def _draw_figure(img, yy, xx, figure_rng, cx, feet, height):
    """A standing figure (head, hair, torso, arms, legs) with its feet at (cx, feet)."""
    head_r = height * 0.075
    shoulder = height * 0.13
    skin = figure_rng.uniform([0.35, 0.2, 0.12], [0.95, 0.8, 0.7])
    shirt = figure_rng.uniform(0, 1, 3)
    trousers = figure_rng.uniform(0, 0.7, 3)
    head_y = feet - height + head_r
    torso_top = head_y + head_r * 1.4
    hip = feet - height * 0.47
    _paint(img, _rect(yy, xx, hip, cx - shoulder * 0.8, feet, cx - 1), trousers)
    _paint(img, _rect(yy, xx, hip, cx + 1, feet, cx + shoulder * 0.8), trousers)
    _paint(img, _ellipse(yy, xx, (torso_top + hip) / 2, cx, (hip - torso_top) / 2 + 2, shoulder), shirt)
    arm_w = max(1.5, shoulder * 0.3)
    swing = figure_rng.uniform(-3, 3)
    _paint(img, _rect(yy, xx, torso_top + 1, cx - shoulder - arm_w + swing, hip + 4, cx - shoulder + swing), shirt * 0.9)
    _paint(img, _rect(yy, xx, torso_top + 1, cx + shoulder - swing, hip + 4, cx + shoulder + arm_w - swing), shirt * 0.9)
    _paint(img, _ellipse(yy, xx, head_y, cx, head_r * 1.15, head_r), skin)
    if figure_rng.random() < 0.6:  # hair
        _paint(img, _ellipse(yy, xx, head_y - head_r * 0.6, cx, head_r * 0.6, head_r * 1.02), figure_rng.uniform(0, 0.5, 3))


def render_frame(rng, person, door_open, light_on, figure_rng=None, light_rng=None, at_door=None, extras=None):
    """A 160x120 RGB frame of a room with a door: a figure present or not, the door open or
    closed, the light on or off. Centre-cropped to 120x120 by the image pipeline, so the scene
    content lives in x in [20, 140).

    By default everything is drawn from `rng` (the dataset). A scripted scene (make_demo.py)
    passes `figure_rng` and `light_rng` so the same room (drawn from `rng`) keeps its layout
    whatever the figure, door and light do, and `at_door` to put the figure in the doorway
    (True) or in the room (False). `extras(img, yy, xx, horizon)` draws more things (hard
    negatives) before the light is applied."""
    figure_rng = rng if figure_rng is None else figure_rng
    light_rng = rng if light_rng is None else light_rng
    h, w = FRAME_H, FRAME_W
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    wall = rng.uniform(0.45, 0.95, 3)
    floor_colour = rng.uniform(0.15, 0.6, 3)
    horizon = rng.uniform(78, 95)
    img[:] = wall
    # Wall shading and floor.
    img *= (0.85 + 0.15 * (xx / w))[..., None] if rng.random() < 0.5 else (1.0 - 0.15 * (xx / w))[..., None]
    _paint(img, yy >= horizon, floor_colour)
    # Distractors: picture frame, window, table, plant, floor lamp.
    for _ in range(int(rng.integers(0, 4))):
        kind = rng.integers(5)
        cx = rng.uniform(25, 135)
        if kind == 0:
            y0 = rng.uniform(15, 40)
            _paint(img, _rect(yy, xx, y0, cx - 8, y0 + 14, cx + 8), rng.uniform(0, 1, 3))
        elif kind == 1:
            y0 = rng.uniform(12, 30)
            _paint(img, _rect(yy, xx, y0, cx - 12, y0 + 26, cx + 12), rng.uniform(0.6, 1.0, 3) * [0.8, 0.9, 1.0])
            _paint(img, _rect(yy, xx, y0 + 12, cx - 12, y0 + 14, cx + 12), [0.3, 0.3, 0.3])
        elif kind == 2:
            top = horizon - rng.uniform(10, 18)
            c = rng.uniform(0.1, 0.6, 3)
            _paint(img, _rect(yy, xx, top, cx - 14, top + 3, cx + 14), c)
            _paint(img, _rect(yy, xx, top, cx - 13, horizon + 4, cx - 11) | _rect(yy, xx, top, cx + 11, horizon + 4, cx + 13), c)
        elif kind == 3:
            _paint(img, _rect(yy, xx, horizon - 6, cx - 5, horizon + 3, cx + 5), [0.5, 0.3, 0.2])
            _paint(img, _ellipse(yy, xx, horizon - 14, cx, 10, 8), rng.uniform([0.05, 0.3, 0.05], [0.25, 0.6, 0.2]))
        else:
            top = horizon - rng.uniform(45, 60)
            _paint(img, _rect(yy, xx, top + 8, cx - 1, horizon + 2, cx + 1), [0.2, 0.2, 0.2])
            _paint(img, _ellipse(yy, xx, top + 4, cx, 5, 7), rng.uniform(0.7, 1.0, 3))
    # Door.
    dw = rng.uniform(22, 34)
    dh = rng.uniform(58, 76)
    dx = rng.uniform(24, 136 - dw)
    top = horizon + 2 - dh
    frame_colour = rng.uniform(0.3, 0.9, 3)
    door_colour = rng.uniform(0.2, 0.85, 3) * rng.choice([1.0, 0.7])
    _paint(img, _rect(yy, xx, top - 2, dx - 2, horizon + 2, dx + dw + 2), frame_colour)
    if door_open:
        inside = rng.uniform(0.0, 0.25, 3)
        _paint(img, _rect(yy, xx, top, dx, horizon + 2, dx + dw), inside)
        # Gradient of the dark room beyond, and the door leaf swung into the room as a trapezoid.
        depth = _rect(yy, xx, top, dx, horizon + 2, dx + dw)
        img[depth] *= (0.7 + 0.3 * ((yy[depth] - top) / dh))[:, None]
        leaf = rng.uniform(0.35, 0.7) * dw
        hinge_left = rng.random() < 0.5
        x0, x1 = (dx - leaf, dx) if hinge_left else (dx + dw, dx + dw + leaf)
        frac = (xx - x0) / max(leaf, 1) if not hinge_left else (x1 - xx) / max(leaf, 1)
        skew = 6 * frac
        leaf_mask = (xx >= x0) & (xx < x1) & (yy >= top - skew) & (yy < horizon + 2 + skew * 0.5)
        _paint(img, leaf_mask, door_colour * 0.9)
    else:
        _paint(img, _rect(yy, xx, top, dx, horizon + 2, dx + dw), door_colour)
        if rng.random() < 0.7:   # panels
            pc = door_colour * 0.85
            _paint(img, _rect(yy, xx, top + 5, dx + 4, top + dh * 0.45, dx + dw - 4), pc)
            _paint(img, _rect(yy, xx, top + dh * 0.55, dx + 4, horizon - 4, dx + dw - 4), pc)
        kx = dx + dw - 5 if rng.random() < 0.5 else dx + 5
        _paint(img, _ellipse(yy, xx, top + dh * 0.52, kx, 1.8, 1.8), [0.85, 0.75, 0.3])
    # Figure: head, neck, torso, arms, legs; sometimes standing in the doorway.
    if person:
        height = figure_rng.uniform(42, 80)
        in_doorway = figure_rng.random() < 0.4
        if in_doorway if at_door is None else at_door:
            cx = dx + dw / 2 + figure_rng.uniform(-4, 4)
            feet = horizon + figure_rng.uniform(0, 4)
            height = min(height, dh + 6)
        else:
            cx = figure_rng.uniform(30, 130)
            feet = horizon + figure_rng.uniform(0, 22)
        _draw_figure(img, yy, xx, figure_rng, cx, feet, height)
    if extras is not None:
        extras(img, yy, xx, horizon)
    # Lighting: on = bright, warm or neutral; off = dim, bluish, with sensor gain noise.
    if light_on:
        gain = light_rng.uniform(0.75, 1.2)
        tint = light_rng.uniform([0.95, 0.9, 0.75], [1.05, 1.0, 1.0])
        # Light pool from a ceiling lamp.
        lx = light_rng.uniform(30, 130)
        pool = 1 + 0.25 * np.exp(-((xx - lx) ** 2 + (yy - 5) ** 2) / (2 * 45 ** 2))
        img = img * gain * tint * pool[..., None]
        noise = light_rng.uniform(0.005, 0.03)
    else:
        gain = light_rng.uniform(0.15, 0.35)
        tint = light_rng.uniform([0.6, 0.7, 0.9], [0.9, 0.95, 1.1])
        img = img * gain * tint
        noise = light_rng.uniform(0.01, 0.05)
    img = img + light_rng.normal(0, noise, img.shape) + light_rng.normal(0, noise / 2, (h, w, 1))
    if light_rng.random() < 0.3:  # slight defocus
        img = (np.roll(img, 1, axis=1) + img + np.roll(img, -1, axis=1)) / 3
        img = (np.roll(img, 1, axis=0) + img + np.roll(img, -1, axis=0)) / 3
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)


def write_ppm(path, rgb):
    h, w, _ = rgb.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h))
        f.write(rgb.tobytes())


# ---------------------------------------------------------------------------------------------
# Hard negatives and real inputs (photographs and recordings from packages, see real_data.py)


def beeps(rng):
    """1 to 4 electronic beeps (pure or square-ish tones) away from the smoke alarm's band and
    pattern: a microwave, a timer, a phone."""
    x = np.zeros(CLIP)
    f = rng.uniform(400, 2600) if rng.random() < 0.8 else rng.uniform(3700, 6000)
    count = int(rng.integers(1, 5))
    length = rng.uniform(0.04, 0.25)
    gap = rng.uniform(0.05, 0.2)
    start = rng.uniform(0, max(0.01, 1 - count * (length + gap)))
    t = _t()
    for k in range(count):
        t0 = start + k * (length + gap)
        on = (t >= t0) & (t < t0 + length)
        tone = np.sin(2 * np.pi * f * t)
        if rng.random() < 0.4:
            tone = np.sign(tone) * 0.6 + 0.4 * tone
        x += on * tone
    return x / (np.abs(x).max() + 1e-9)


def clicks(rng):
    """Clicks that are not knocks: one switch click, a ticking clock or typing (short, bright)."""
    x = np.zeros(CLIP)
    mode = rng.integers(3)
    times = [rng.uniform(0, 0.9)] if mode == 0 else \
        list(np.arange(rng.uniform(0, 0.5), 1.0, rng.uniform(0.45, 1.0))) if mode == 1 else \
        list(np.cumsum(rng.uniform(0.06, 0.25, 8)))
    n = int(0.015 * RATE)
    tt = np.arange(n) / RATE
    f = rng.uniform(2000, 6000)
    for t0 in times:
        i = int(t0 * RATE)
        if i >= CLIP:
            break
        hit = (rng.standard_normal(n) * 0.6 + np.sin(2 * np.pi * f * tt)) * np.exp(-tt / rng.uniform(0.001, 0.004))
        end = min(CLIP, i + n)
        x[i:end] += hit[:end - i] * rng.uniform(0.5, 1.0)
    return x / (np.abs(x).max() + 1e-9)


def ding(rng):
    """A single notification tone or a quick rising/falling sweep (not a 2-4 note door chime)."""
    t = _t()
    t0 = rng.uniform(0, 0.6)
    tt = np.clip(t - t0, 0, None)
    on = t >= t0
    if rng.random() < 0.5:
        f = rng.uniform(600, 2500)
        x = on * np.exp(-tt / rng.uniform(0.05, 0.3)) * (np.sin(2 * np.pi * f * tt) + 0.3 * np.sin(2 * np.pi * 3 * f * tt))
    else:
        f0, f1 = rng.uniform(300, 1500), rng.uniform(300, 3000)
        d = rng.uniform(0.1, 0.35)
        phase = 2 * np.pi * (f0 * tt + (f1 - f0) * tt ** 2 / (2 * d))
        x = on * (tt < d) * np.sin(phase) * np.sin(np.pi * np.clip(tt / d, 0, 1))
    return x / (np.abs(x).max() + 1e-9)


def babble_noise(rng):
    """Noise with a syllable-rate (3-7 Hz) envelope and a speech-like spectral tilt but no
    voicing or formants: a fan that pulses, a muffled TV through a wall."""
    x = _fft_filter(_coloured_noise(rng, CLIP, rng.uniform(0.5, 1.5)), rng.uniform(80, 300), rng.uniform(1500, 5000))
    rate = rng.uniform(3, 7)
    env = np.clip(np.sin(2 * np.pi * rate * _t() + rng.uniform(0, 6.3)) + rng.uniform(-0.2, 0.6), 0, None)
    x = x * env
    return x / (np.abs(x).max() + 1e-9)


HARD_SOUNDS = {"beeps": beeps, "clicks": clicks, "ding": ding, "babble_noise": babble_noise}


def mix(rng, foreground, background_sound=None, snr_db=None):
    """Foreground (or None) over room tone (synthetic, or a given quiet background), normalised
    to a random peak level as audio_clip does."""
    bg = background(rng) if background_sound is None else background_sound / (np.sqrt(np.mean(background_sound ** 2)) + 1e-12)
    if foreground is None:
        x = bg * rng.uniform(0.2, 1.5)
    else:
        active = np.abs(foreground) > 0.05 * (np.abs(foreground).max() + 1e-12)
        rms = np.sqrt(np.mean(foreground[active] ** 2)) if active.any() else 1.0
        snr = rng.uniform(3.0, 30.0) if snr_db is None else snr_db
        x = foreground / (rms + 1e-12) * 10 ** (snr / 20) + bg
    return x / (np.abs(x).max() + 1e-9) * 10 ** (rng.uniform(-30.0, -3.0) / 20)


def window(rng, x, at_start=False):
    """A 1 s window of a longer recording (padded with zeros when shorter): at the start, or at a
    random place that holds the sound's loudest part."""
    if len(x) <= CLIP:
        out = np.zeros(CLIP)
        start = 0 if at_start else int(rng.integers(0, CLIP - len(x) + 1))
        out[start:start + len(x)] = x
        return out
    if at_start:
        return x[:CLIP].copy()
    peak = int(np.argmax(np.abs(x)))
    lo, hi = max(0, peak - CLIP + 1600), min(len(x) - CLIP, peak - 1600)
    start = int(rng.integers(lo, hi + 1)) if hi >= lo else int(rng.integers(0, len(x) - CLIP + 1))
    return x[start:start + CLIP].copy()


def silence(rng):
    """Digital silence or a very quiet microphone (the other side of modality dropout)."""
    if rng.random() < 0.5:
        return np.zeros(CLIP)
    x = background(rng)
    return x / (np.abs(x).max() + 1e-9) * 10 ** (rng.uniform(-75.0, -50.0) / 20)


def _resize(img, w, h):
    from PIL import Image
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BOX if img.shape[1] > w else Image.BILINEAR))


def photo_frame(rng, photo):
    """A photograph as a 160x120 camera frame: a random 4:3 crop (60-100 % of the largest, or a
    close-up of 15-60 % a third of the time: surfaces, objects and print fill the view), resized,
    float RGB in [0,1]."""
    h, w, _ = photo.shape
    ch, cw = (h, int(h * 4 / 3)) if w * 3 >= h * 4 else (int(w * 3 / 4), w)
    s = rng.uniform(0.6, 1.0) if rng.random() >= 1 / 3 else rng.uniform(0.15, 0.6)
    ch, cw = max(8, int(ch * s)), max(8, int(cw * s))
    y0, x0 = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    crop = photo[y0:y0 + ch, x0:x0 + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return _resize(np.ascontiguousarray(crop), FRAME_W, FRAME_H).astype(np.float64) / 255.0


def figure_on(rng, img):
    """Draws a synthetic figure into a float frame (a person in front of a real scene)."""
    h, w, _ = img.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    height = rng.uniform(42, 95)
    _draw_figure(img, yy, xx, rng, rng.uniform(35, 125), rng.uniform(height + 2, 119), height)
    return img


def camera(rng, img):
    """Exposure, white balance, dim scenes, sensor noise and defocus on a float frame -> uint8."""
    gain = rng.uniform(0.7, 1.25) if rng.random() < 0.8 else rng.uniform(0.15, 0.4)
    img = img * gain * rng.uniform([0.85, 0.85, 0.8], [1.1, 1.05, 1.15])
    noise = rng.uniform(0.003, 0.04)
    img = img + rng.normal(0, noise, img.shape) + rng.normal(0, noise / 2, img.shape[:2] + (1,))
    if rng.random() < 0.3:
        img = (np.roll(img, 1, axis=1) + img + np.roll(img, -1, axis=1)) / 3
        img = (np.roll(img, 1, axis=0) + img + np.roll(img, -1, axis=0)) / 3
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)


def _animal(rng, img, yy, xx, horizon):
    """A four-legged animal's silhouette (cat/dog-like): horizontal body, legs, head, tail."""
    size = rng.uniform(8, 22)
    cx, feet = rng.uniform(30, 130), horizon + rng.uniform(2, 22)
    colour = rng.uniform(0.05, 0.9, 3)
    body_y = feet - size * 0.9
    _paint(img, _ellipse(yy, xx, body_y, cx, size * 0.45, size), colour)
    for dx in (-0.7, -0.45, 0.45, 0.7):
        _paint(img, _rect(yy, xx, body_y, cx + dx * size - 1.2, feet, cx + dx * size + 1.2), colour * 0.9)
    side = 1 if rng.random() < 0.5 else -1
    _paint(img, _ellipse(yy, xx, body_y - size * 0.45, cx + side * size * 1.05, size * 0.35, size * 0.35), colour)
    _paint(img, _rect(yy, xx, body_y - size * 0.6, cx - side * size * 1.3 - 1, body_y, cx - side * size * 1.3 + 1), colour)


def _screen(rng, img, yy, xx, horizon):
    """A television or monitor: a bright rectangle with random content and a dark bezel."""
    w, h = rng.uniform(25, 60), rng.uniform(18, 38)
    x0, y0 = rng.uniform(20, 140 - w), rng.uniform(10, max(11, horizon - h))
    _paint(img, _rect(yy, xx, y0 - 2, x0 - 2, y0 + h + 2, x0 + w + 2), [0.05, 0.05, 0.05])
    inner = _rect(yy, xx, y0, x0, y0 + h, x0 + w)
    content = rng.uniform(0.2, 1.0, 3) * (0.6 + 0.4 * np.sin(xx / rng.uniform(2, 12) + yy / rng.uniform(2, 12)))[..., None]
    img[inner] = content[inner]


def _clutter(rng, img, yy, xx, horizon):
    """Boxes, bags, a coat rack, bottles: upright shapes that are not people."""
    for _ in range(int(rng.integers(3, 9))):
        cx, base = rng.uniform(22, 138), horizon + rng.uniform(0, 20)
        w, h = rng.uniform(3, 18), rng.uniform(4, 45)
        colour = rng.uniform(0.05, 0.95, 3)
        if rng.random() < 0.5:
            _paint(img, _rect(yy, xx, base - h, cx - w / 2, base, cx + w / 2), colour)
        else:
            _paint(img, _ellipse(yy, xx, base - h / 2, cx, h / 2, w / 2), colour)


def hard_negative_extras(rng):
    """extras() for render_frame: an animal, a screen or clutter (1 to 3 of them)."""
    kinds = [(_animal, _screen, _clutter)[rng.integers(3)] for _ in range(int(rng.integers(1, 4)))]
    return lambda img, yy, xx, horizon: [k(rng, img, yy, xx, horizon) for k in kinds]


def texture_frame(rng):
    """Frames that are no room at all: a wall, a curtain, a screen filling the view, a blurry
    close-up (float RGB)."""
    yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float64)
    kind = rng.integers(3)
    base = rng.uniform(0.1, 0.9, 3)
    if kind == 0:   # stripes / curtain folds
        f = rng.uniform(0.05, 0.6)
        img = base * (0.7 + 0.3 * np.sin(f * (xx * np.cos(rng.uniform(0, 3.2)) + yy * np.sin(rng.uniform(0, 3.2)))))[..., None]
    elif kind == 1:  # mottled surface (plaster, carpet, wood)
        noise = rng.standard_normal((FRAME_H // 8 + 2, FRAME_W // 8 + 2))
        big = np.kron(noise, np.ones((8, 8)))[:FRAME_H, :FRAME_W]
        big = (np.roll(big, 4, 0) + big + np.roll(big, 4, 1)) / 3
        img = base * (0.8 + 0.15 * big + 0.05 * rng.standard_normal((FRAME_H, FRAME_W)))[..., None]
    else:           # a screen with windows and text lines
        img = np.ones((FRAME_H, FRAME_W, 3)) * base
        for _ in range(int(rng.integers(2, 8))):
            y0, x0 = rng.uniform(0, 100), rng.uniform(0, 140)
            _paint(img, _rect(yy, xx, y0, x0, y0 + rng.uniform(5, 50), x0 + rng.uniform(10, 80)), rng.uniform(0, 1, 3))
    return np.clip(img, 0, 1)
