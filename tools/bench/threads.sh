#!/usr/bin/env bash
# One inference on 1 thread against N threads, in the same run: `perch bench MODEL --threads T
# --json` alternating between the two, ROUNDS times per model; prints the median of each side's
# medians and the speedup, with the CPU model and the load average before and after (the
# machines here are shared: figures from a loaded machine say little).
#
#   tools/bench/threads.sh [--threads N] [--rounds R] [--perch PATH] [MODEL_NAME...]
#
# Defaults: N=2, R=5, PATH=.build/release/perch (swift build -c release --product perch),
# models person_detect vww_96_int8 kws_ref_model multimodal_xattn from ../shared/models.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
threads=2 rounds=5 perch=$repo/.build/release/perch
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --perch) perch=$2; shift 2 ;;
    *) models+=("$1"); shift ;;
  esac
done
[ ${#models[@]} -gt 0 ] || models=(person_detect vww_96_int8 kws_ref_model multimodal_xattn)
[ -x "$perch" ] || { echo "threads: $perch missing (swift build -c release --product perch)" >&2; exit 1; }
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cpus; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-20s %12s %12s %8s  %s\n' model "1 thread ms" "$threads thr. ms" speedup "rounds (1 / $threads)"
for name in "${models[@]}"; do
  model=$repo/../shared/models/$name/model.tflite
  one=() many=()
  for _ in $(seq 1 "$rounds"); do
    for t in 1 "$threads"; do
      ms=$("$perch" bench "$model" --threads "$t" --no-operators --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["median_ms"])')
      if [ "$t" = 1 ]; then one+=("$ms"); else many+=("$ms"); fi
    done
  done
  python3 - "$name" "$threads" "${one[*]}" "${many[*]}" <<'PY'
import statistics, sys
name, threads, one, many = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
a, b = statistics.median(one), statistics.median(many)
print("%-20s %12.4f %12.4f %7.2fx  %s / %s" % (name, a, b, a / b, " ".join("%.3f" % x for x in one), " ".join("%.3f" % x for x in many)))
PY
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
