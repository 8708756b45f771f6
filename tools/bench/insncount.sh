#!/usr/bin/env bash
# Instruction counts of the aarch64 build under QEMU user mode (deterministic, unlike wall
# time under emulation), with ../shared/tools/qemu-insncount:
#   1. the GEMM micro-kernel alone (`perch bench --kernel gemm`): instructions per MAC, for the
#      path without the dot-product extension (-cpu cortex-a72) and with it (-cpu cortex-a76);
#   2. every shared model: instructions per inference and per MAC, on both CPUs.
# Each figure is (N(1 + R runs) - N(1 run)) / R, so start-up and loading cancel out.
#
#   tools/bench/insncount.sh [--quick]        (needs cross/build.sh aarch64 first)
#
# Environment: PERCH_CACHE (plugin and sysroot), PERCH_AARCH64_PERCH (default
# .build-aarch64/release/perch), MODELS (default ../shared/models), CPUS (default
# "cortex-a72 cortex-a76").
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
perch=${PERCH_AARCH64_PERCH:-$repo/.build-aarch64/release/perch}
models=${MODELS:-$repo/../shared/models}
plugin_src=${INSNCOUNT_SRC:-$repo/../shared/tools/qemu-insncount/insncount.c}
cpus=(${CPUS:-cortex-a72 cortex-a76})
sysroot=$cache/sysroot-arm64
quick=0
[ "${1:-}" = "--quick" ] && quick=1

[ -x "$perch" ] || { echo "insncount: $perch missing: run cross/build.sh aarch64" >&2; exit 1; }
"$repo/cross/sysroot.sh" arm64 >&2   # built if missing or made from another package list
if ! command -v qemu-aarch64 >/dev/null; then
  # The dynamic qemu-aarch64 loads plugins; qemu-user-static cannot.
  echo "insncount: installing qemu-user" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-user >/dev/null
fi
plugin=$cache/insncount/libinsncount.so
if [ ! -f "$plugin" ] || [ "$plugin_src" -nt "$plugin" ]; then
  mkdir -p "$(dirname "$plugin")"
  cc -O2 -shared -fPIC -o "$plugin" "$plugin_src"
fi

count() {  # count CPU ARGS... -> instructions
  local cpu=$1; shift
  qemu-aarch64 -L "$sysroot" -cpu "$cpu" -plugin "$plugin" -d plugin "$perch" "$@" 2>&1 >/dev/null |
    sed -n 's/^insns: //p' | tail -1
}

# Prints "path insns/MAC" for one GEMM shape on one CPU.
gemm() {  # gemm CPU M N K [EXTRA]
  local cpu=$1 m=$2 n=$3 k=$4 extra=${5:-} runs=100
  local a b path
  a=$(count "$cpu" bench --kernel gemm --m "$m" --n "$n" --k "$k" --runs 1 $extra)
  b=$(count "$cpu" bench --kernel gemm --m "$m" --n "$n" --k "$k" --runs $((runs + 1)) $extra)
  path=$(qemu-aarch64 -L "$sysroot" -cpu "$cpu" "$perch" bench --kernel gemm --m 1 --n 1 --k 1 --runs 1 --json |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["kernel_path"])')
  python3 -c "print('%-11s %-10s %5d %5d %5d %12.0f %8.4f %s' % ('$cpu', '$path', $m, $n, $k, ($b - $a) / $runs, ($b - $a) / $runs / ($m * $n * $k), '$extra'))"
}

echo "## GEMM micro-kernel (perch bench --kernel gemm): instructions per multiply-accumulate"
echo "cpu         path           M     N     K  insns/run  insns/MAC"
shapes=("64 64 256" "256 64 64" "64 32 72")
[ $quick = 1 ] && shapes=("64 64 256")
for cpu in "${cpus[@]}"; do
  for shape in "${shapes[@]}"; do
    gemm "$cpu" $shape
  done
  # Weights with -128: the NEON path can no longer pair two products in one int16.
  [ $quick = 1 ] || gemm "$cpu" 64 64 256 --full-range-weights
done

[ $quick = 1 ] && exit 0
echo
echo "## Models: instructions per inference (perch bench MODEL --no-operators)"
echo "model                    cpu         path        MACs        insns/inference  insns/MAC"
for dir in "$models"/*/; do
  name=$(basename "$dir")
  model=$dir/model.tflite
  [ -f "$model" ] || continue
  for cpu in "${cpus[@]}"; do
    runs=20
    # One batch each (--batch = --runs): no batch-size calibration, and the difference is R
    # back-to-back invoke() calls between one pair of clock reads.
    a=$(count "$cpu" bench "$model" --runs 1 --batch 1 --warmup 0 --no-operators)
    b=$(count "$cpu" bench "$model" --runs $((runs + 1)) --batch $((runs + 1)) --warmup 0 --no-operators)
    info=$(qemu-aarch64 -L "$sysroot" -cpu "$cpu" "$perch" bench "$model" --runs 1 --batch 1 --warmup 0 --no-operators --json)
    python3 - "$name" "$cpu" "$a" "$b" "$runs" "$info" <<'PY'
import json, sys
name, cpu, a, b, runs, info = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), json.loads(sys.argv[6])
per = (b - a) / runs
macs = info["macs"]
print("%-24s %-11s %-10s %10d %16.0f %10.3f" % (name, cpu, info["kernel_path"], macs, per, per / macs if macs else 0))
PY
  done
done
