#!/usr/bin/env bash
# Load test: perchd --demo under 200 concurrent clients (issue 9).
#
#   tools/load/run.sh [--seconds 60] [--clients 200] [--baseline-seconds S] [--perchd PATH]
#
# perchd is the embedded x86_64 build (.build-x86_64/release/perchd, made by
# `cross/build.sh x86_64` when missing) unless --perchd names another. The clients are
# Python 3 stdlib (asyncio, one process): status/results/metrics pollers, event streams
# checked sequence number by sequence number, slow and non-reading stream subscribers,
# pipelined requests never read, requests abandoned half-sent, and POST /v1/infer uploads.
# Prints the inference rate unloaded and loaded and their ratio, VmRSS/VmHWM and open fds
# before, during and after, responses per second, outcomes by kind, events produced and
# seen, then one line per check and "load: N passed, N failed". The checks are faults only
# (daemon died, fd leak, RSS past the bound its limits imply or still growing, malformed
# responses, unexpected statuses, broken event sequences); times and rates are reported,
# never checked.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
perchd=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --perchd) perchd=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ -z "$perchd" ]; then
  perchd=$repo/.build-x86_64/release/perchd
  [ -x "$perchd" ] || "$repo/cross/build.sh" x86_64
fi
# No __pycache__ beside the sources of a clean clone.
PYTHONDONTWRITEBYTECODE=1 exec python3 "$repo/tools/load/load.py" --perchd "$perchd" "${args[@]}"
