#!/usr/bin/env bash
# Builds perchd and perch (host mode) and runs the demo daemon: the default model
# (models/perch-av) on a synthetic camera and the demo audio, no devices needed.
#
#   tools/demo.sh [--socket PATH]     # Ctrl-C stops it
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tools/install-deps.sh
swift build --product perchd
swift build --product perch
echo "perch client: $repo/.build/debug/perch"
exec .build/debug/perchd --demo "$@"
