#!/usr/bin/env bash
# Host benchmark against LiteRT (XNNPACK and built-in kernels) and TensorFlow Lite Micro.
# Makes a venv under $PERCH_CACHE (default .cache) with tools/bench/requirements.txt, builds
# the host release (`swift build -c release`) unless PERCH is given, and runs compare.py, which
# prints the CPU model (with its AVX2/AVX-512 flags), Perch's kernel path and the load average.
#
#   tools/bench/compare.sh [compare.py options: --batches N --batch-ms MS --rounds N --only MODEL --json FILE]
#   PERCH="cross/run.sh ..." is not meaningful here: timings are for this machine.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
venv=$cache/bench-venv
requirements=$repo/tools/bench/requirements.txt
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp=$venv/.requirements
if ! cmp -s "$requirements" "$stamp"; then
  "$venv/bin/pip" install -q --pre -r "$requirements"
  cp "$requirements" "$stamp"
fi
perch=${PERCH:-}
if [ -z "$perch" ]; then
  (cd "$repo" && swift build -c release --product perch >&2)
  perch=$repo/.build/release/perch
fi
exec "$venv/bin/python" "$repo/tools/bench/compare.py" --perch "$perch" "$@"
