"""Training samples that teach "nothing is happening", and the held-out real evaluation set.

Mixer (generate.py --real SHARE) draws, for a share of the training samples, an image and a
sound of which at least one is not the synthetic task's:
  image: the synthetic room; the room with hard negatives (an animal, a screen, clutter); a real
         photograph without people (person = 0); the same with a synthetic figure drawn in
         (person = 1); a real photograph of people (person = 1); a texture / screen filling the
         view; a black frame (modality dropout: no person, no open door, no light).
  sound: a synthetic event over room tone; a real voice (speech); a real everyday sound as the
         foreground (no audio label); a synthetic event over a real everyday sound at room-tone
         level; a hard synthetic negative (beeps, clicks, a single ding, syllable-rate noise);
         silence (modality dropout).
Real photographs say nothing of a door or a room light: those labels, and fused labels that
depend on them, are written as unknown (their loss is masked in train.py).
Every real file comes from real_data.py's training pool; write_eval() uses only its eval pool.
"""
import os

import numpy as np

import real_data
import synth

IMAGE_KINDS = {"room": 0.22, "room_hard_negative": 0.2, "photo": 0.28, "photo_with_figure": 0.1,
               "people": 0.08, "texture": 0.07, "black": 0.05}
SOUND_KINDS = {"event": 0.28, "voice": 0.22, "distractor": 0.16, "event_over_distractor": 0.12,
               "hard_negative": 0.12, "silence": 0.1}


def _pick(rng, weights):
    names = list(weights)
    p = np.array([weights[n] for n in names])
    return names[rng.choice(len(names), p=p / p.sum())]


class Mixer:
    def __init__(self, share):
        self.share = share
        pool = real_data.files("train")
        self.photos = [p for _, role, _, p in pool if role == "photo"]
        self.people = [p for _, role, _, p in pool if role in ("people", "faces")]
        self.voices = [p for _, role, _, p in pool if role == "voice"]
        self.distractors = [p for _, role, _, p in pool if role == "distractor"]
        self._images = {}
        self.kinds = {}

    def describe(self):
        return {"share": self.share, "image_kinds": IMAGE_KINDS, "sound_kinds": SOUND_KINDS,
                "files": {"photos": len(self.photos), "people": len(self.people), "voices": len(self.voices),
                          "distractors": len(self.distractors)},
                "source": "tools/train/real_data.py training pool (see tools/train/DATA.md)"}

    def wants(self, rng):
        return rng.random() < self.share

    def _image(self, rng, paths):
        path = paths[rng.integers(len(paths))]
        if path not in self._images:
            self._images[path] = real_data.load_images(path)
        images = self._images[path]
        return images[rng.integers(len(images))]

    def _sound(self, rng, paths, pitch=False):
        x = real_data.load_audio(paths[rng.integers(len(paths))])
        if pitch:
            # Played 0.75-1.4x as long (pitch down to 0.71x, up to 1.33x): the training voices
            # are three women; this gives lower, slower (and higher, faster) voices too.
            x = synth.resample(x, 16000, int(16000 * rng.uniform(0.75, 1.4)))
        return synth.window(rng, x, at_start=rng.random() < 0.3)

    def sample(self, rng, bank):
        image_kind = _pick(rng, IMAGE_KINDS)
        sound_kind = _pick(rng, SOUND_KINDS)
        while image_kind == "room" and sound_kind == "event":
            sound_kind = _pick(rng, SOUND_KINDS)
        self.kinds[f"{image_kind}+{sound_kind}"] = self.kinds.get(f"{image_kind}+{sound_kind}", 0) + 1

        # Sound.
        event = "none"
        if sound_kind in ("event", "event_over_distractor"):
            event = synth.AUDIO_EVENTS[rng.integers(len(synth.AUDIO_EVENTS))]
            if sound_kind == "event":
                wav = synth.audio_clip(rng, event, bank)
            else:
                fg = None if event == "none" else {
                    "speech": lambda: synth.speech(rng, bank), "doorbell": lambda: synth.doorbell(rng),
                    "smoke_alarm": lambda: synth.smoke_alarm(rng), "knock": lambda: synth.knock(rng),
                    "glass_break": lambda: synth.glass_break(rng)}[event]()
                wav = synth.mix(rng, fg, background_sound=self._sound(rng, self.distractors) + 0.05 * synth.background(rng),
                                snr_db=rng.uniform(3.0, 25.0))
        elif sound_kind == "voice":
            event = "speech"
            wav = synth.mix(rng, self._sound(rng, self.voices, pitch=rng.random() < 0.6), snr_db=rng.uniform(5.0, 35.0))
        elif sound_kind == "distractor":
            wav = synth.mix(rng, self._sound(rng, self.distractors), snr_db=rng.uniform(5.0, 35.0))
        elif sound_kind == "hard_negative":
            kind = list(synth.HARD_SOUNDS)[rng.integers(len(synth.HARD_SOUNDS))]
            wav = synth.mix(rng, synth.HARD_SOUNDS[kind](rng))
        else:
            wav = synth.silence(rng)

        # Image.
        person = door_open = light_on = None
        seen = {}
        if image_kind in ("room", "room_hard_negative"):
            person = bool(rng.random() < 0.5)
            door_open = bool(rng.random() < 0.5)
            light_on = bool(rng.random() < 0.5)
            extras = synth.hard_negative_extras(rng) if image_kind == "room_hard_negative" else None
            frame = synth.render_frame(rng, person, door_open, light_on, extras=extras)
        elif image_kind in ("photo", "photo_with_figure"):
            img = synth.photo_frame(rng, self._image(rng, self.photos))
            person = image_kind == "photo_with_figure"
            if person:
                img = synth.figure_on(rng, img)
            frame = synth.camera(rng, img)
        elif image_kind == "people":
            person = True
            frame = synth.camera(rng, synth.photo_frame(rng, self._image(rng, self.people)))
        elif image_kind == "texture":
            person = False
            frame = synth.camera(rng, synth.texture_frame(rng))
        else:  # black frame: nothing seen; the fused labels that need the scene are unknown
            person, door_open, light_on = False, False, False
            seen = {"seen_person": False, "seen_light": None}
            frame = np.zeros((synth.FRAME_H, synth.FRAME_W, 3), np.uint8)
        labels, unknown = synth.labels_known(event, person, door_open, light_on, **seen)
        if image_kind == "black" and event == "smoke_alarm":
            labels = [n for n in labels if n != "unattended_alarm"]
            unknown = sorted(set(unknown) | {"unattended_alarm"}, key=[n for n, _, _ in synth.LABELS].index)
        return wav, frame, labels, unknown


# ---------------------------------------------------------------------------------------------
# The held-out real evaluation set


def _downscale(img, longest=320):
    h, w, _ = img.shape
    if max(h, w) <= longest:
        return img
    s = longest / max(h, w)
    return synth._resize(img, max(1, int(round(w * s))), max(1, int(round(h * s))))


def write_eval(out):
    """OUT/labels.txt and OUT/test/: every photograph of the eval pool with digital silence
    (photo_* have no people, people_* have), every recording with a black frame (voice_*: speech;
    distractor_*: no label). Photographs keep their aspect ratio (perch crops the centre, as it
    does for a camera); recordings are written whole at 16 kHz (the model hears the first second,
    as `perch audio features FILE` gives it). Door and light are unknown for photographs."""
    folder = os.path.join(out, "test")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(out, "labels.txt"), "w") as f:
        f.write("\n".join(n for n, _, _ in synth.LABELS) + "\n")
    rows = []
    black = np.zeros((synth.FRAME_H, synth.FRAME_W, 3), np.uint8)
    silent = np.zeros(synth.CLIP)
    for _, role, package, path in real_data.files("eval"):
        stem = os.path.splitext(os.path.basename(path))[0].replace(",", "_")
        if role in ("photo", "people"):
            name = f"{'people' if role == 'people' else 'photo'}_{package}_{stem}"
            synth.write_ppm(os.path.join(folder, name + ".ppm"), _downscale(real_data.load_images(path)[0]))
            synth.write_wav(os.path.join(folder, name + ".wav"), silent)
            labels, unknown = synth.labels_known("none", role == "people", None, None)
        else:
            name = f"{role}_{package}_{stem}"
            x = real_data.load_audio(path)
            if len(x) < synth.CLIP:
                x = np.concatenate([x, np.zeros(synth.CLIP - len(x))])
            synth.write_wav(os.path.join(folder, name + ".wav"), x / max(1.0, np.abs(x).max()))
            synth.write_ppm(os.path.join(folder, name + ".ppm"), black)
            labels, unknown = synth.labels_known("speech" if role == "voice" else "none", False, False, False,
                                                 seen_person=False, seen_light=None)
        rows.append(f"{name},{';'.join(labels)},{';'.join(unknown)}")
    with open(os.path.join(folder, "labels.csv"), "w") as f:
        f.write("name,labels,unknown\n" + "\n".join(rows) + "\n")
    print(f"{out}: {len(rows)} real held-out samples")
