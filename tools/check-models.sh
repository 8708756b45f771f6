#!/usr/bin/env bash
# Runs every sample of every reference model through `perch model run` and compares the
# outputs byte for byte with the expected ones (TFLite Micro's reference kernels).
#
#   tools/check-models.sh PERCH [MODELS_DIR]
#
# PERCH is the command to run, e.g. `.build/debug/perch` or
# `cross/run.sh .build-aarch64/release/perch` (QEMU_CPU picks the emulated CPU).
# MODELS_DIR defaults to ../shared/models beside the repository; Tests/PerchRuntimeTests/OpModels
# (single-operator models from tools/opmodels) has the same layout.
# THREADS=N runs each inference on N threads (`--threads N`): the outputs must not change.
# Prints one line per sample and ends with "models: N passed, N failed".
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: tools/check-models.sh PERCH [MODELS_DIR]" >&2
  exit 2
fi
perch=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
models=${2:-$repo/../shared/models}
if [ ! -d "$models" ]; then
  echo "check-models: $models not found" >&2
  echo "models: 0 passed, 1 failed"
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
# One line per sample: folder, sample name, inputs (comma-separated), outputs (comma-separated).
samples=$(python3 - "$models" <<'PY'
import json, os, sys
root = sys.argv[1]
for name in sorted(os.listdir(root)):
    manifest = os.path.join(root, name, "manifest.json")
    if not os.path.isfile(manifest):
        continue
    m = json.load(open(manifest))
    for s in m["samples"]:
        print(name, s["name"], ",".join(s["inputs"]), ",".join(s["outputs"]))
PY
)
while read -r folder sample inputs outputs; do
  [ -n "$folder" ] || continue
  dir=$models/$folder
  args=()
  [ -n "${THREADS:-}" ] && args+=(--threads "$THREADS")
  IFS=, read -ra ins <<< "$inputs"
  IFS=, read -ra outs <<< "$outputs"
  for f in "${ins[@]}"; do args+=(--input "$dir/$f"); done
  for i in "${!outs[@]}"; do args+=(--output "$work/out-$i.bin"); done
  if ! $perch model run "$dir/model.tflite" "${args[@]}" 2> "$work/err"; then
    echo "FAIL $folder/$sample: $(head -c 300 "$work/err")"
    failed=$((failed + 1))
    continue
  fi
  ok=1
  for i in "${!outs[@]}"; do
    if ! cmp -s "$work/out-$i.bin" "$dir/${outs[$i]}"; then
      ok=0
      echo "FAIL $folder/$sample: output $i differs: $(cmp -l "$work/out-$i.bin" "$dir/${outs[$i]}" 2>&1 | wc -l) byte(s)"
    fi
  done
  if [ $ok = 1 ]; then
    echo "ok   $folder/$sample"
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done <<< "$samples"
echo "models: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
