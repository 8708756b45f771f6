#!/usr/bin/env bash
# Runs an aarch64 Perch binary on this x86_64 machine under qemu-aarch64-static, with the
# arm64 sysroot as its root for the dynamic loader and libraries.
#
#   cross/run.sh BINARY [ARGS...]
#
# QEMU_CPU picks the emulated CPU (e.g. cortex-a72 without dotprod, cortex-a76 with it).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: cross/run.sh BINARY [ARGS...]" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
sysroot=$cache/sysroot-arm64
"$repo/cross/sysroot.sh" arm64 >&2   # built if missing or made from another package list
if ! command -v qemu-aarch64-static >/dev/null; then
  echo "cross/run.sh: qemu-aarch64-static is missing: apt-get install qemu-user-static" >&2
  exit 1
fi
qemu_args=(-L "$sysroot")
[ -n "${QEMU_CPU:-}" ] && qemu_args+=(-cpu "$QEMU_CPU")
exec qemu-aarch64-static "${qemu_args[@]}" "$@"
