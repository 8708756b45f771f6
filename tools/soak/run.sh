#!/usr/bin/env bash
# Soak test: the embedded x86_64 `perchd --demo` for 30 minutes (or --minutes N) under a
# moderate client load: 6 pollers (status/models/results/metrics, 1 request/s each), an
# upload every 2 s (PPM and WAV from models/perch-av/demo), two event streams opened and
# dropped every few seconds, one subscriber following every event, POST /v1/reload every
# minute. VmRSS, VmHWM and open fds are sampled every minute. Not a CI step.
#
#   tools/soak/run.sh [--minutes 30] [--perchd PATH] [--plot docs/soak.png]
#
# Checks: RSS slope (least squares from minute 2) below 1 KiB/min, fds flat, no inference
# stall of 10 s or more, every reload done, the subscriber's seqs without a gap. Samples go to
# .build-logs/soak/samples.csv and the plot to docs/soak.png; last line
# "soak: N passed, N failed". Run it under `nice` on a shared machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
perchd=.build-x86_64/release/perchd
minutes=30
plot=docs/soak.png
while [ $# -gt 0 ]; do
  case "$1" in
    --perchd) perchd=$2; shift 2 ;;
    --minutes) minutes=$2; shift 2 ;;
    --plot) plot=$2; shift 2 ;;
    *) echo "usage: tools/soak/run.sh [--minutes N] [--perchd PATH] [--plot FILE]" >&2; exit 2 ;;
  esac
done
[ -x "$perchd" ] || { echo "no $perchd: cross/build.sh x86_64 first, or --perchd PATH" >&2; exit 2; }
python=$(tools/venv.sh matplotlib==3.11.2) || exit 1
out=.build-logs/soak
rm -rf "$out"; mkdir -p "$out"
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
exec "$python" tools/soak/soak.py --perchd "$perchd" --minutes "$minutes" --out "$out" --plot "$plot" \
  --uploads image/x-portable-pixmap=models/perch-av/demo/person.ppm audio/wav=models/perch-av/demo/demo.wav
