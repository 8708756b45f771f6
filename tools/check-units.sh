#!/bin/sh
# Checks the systemd units: `systemd-analyze verify` on copies whose ExecStart points at the
# built perchd (verify needs the binary to exist), then the offline security exposure score.
# Usage: tools/check-units.sh [PERCHD]   (default .build/debug/perchd; built if missing)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
perchd=${1:-$repo/.build/debug/perchd}
if [ ! -x "$perchd" ]; then (cd "$repo" && swift build --product perchd >/dev/null); fi
perchd=$(cd "$(dirname "$perchd")" && pwd)/$(basename "$perchd")
command -v systemd-analyze >/dev/null || { echo "check-units: systemd-analyze not found" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|^ExecStart=/usr/bin/perchd|ExecStart=$perchd|" "$repo/systemd/perchd.service" > "$tmp/perchd.service"
cp "$repo/systemd/perchd.socket" "$tmp/perchd.socket"
failed=0
if out=$(systemd-analyze verify "$tmp/perchd.service" "$tmp/perchd.socket" 2>&1) && [ -z "$out" ]; then
    echo "ok: systemd-analyze verify perchd.service perchd.socket"
else
    echo "FAIL: systemd-analyze verify"; echo "$out"; failed=1
fi
# sysusers syntax: a dry run into an empty root.
if command -v systemd-sysusers >/dev/null; then
    mkdir -p "$tmp/root/etc"
    if out=$(systemd-sysusers --root="$tmp/root" --dry-run "$repo/systemd/perch.sysusers" 2>&1); then
        echo "ok: systemd-sysusers --dry-run perch.sysusers"
    else
        echo "FAIL: systemd-sysusers"; echo "$out"; failed=1
    fi
fi
# With the MQTT drop-in: the service file plus its [Service] lines, as systemd merges them.
mkdir -p "$tmp/mqtt"
{ cat "$tmp/perchd.service"; echo; grep -v '^#' "$repo/systemd/perchd.service.d/mqtt.conf"; } > "$tmp/mqtt/perchd.service"
cp "$repo/systemd/perchd.socket" "$tmp/mqtt/perchd.socket"
if out=$(systemd-analyze verify "$tmp/mqtt/perchd.service" "$tmp/mqtt/perchd.socket" 2>&1) && [ -z "$out" ]; then
    echo "ok: systemd-analyze verify perchd.service + perchd.service.d/mqtt.conf"
else
    echo "FAIL: systemd-analyze verify with mqtt.conf"; echo "$out"; failed=1
fi
score=$(systemd-analyze security --offline=true "$tmp/perchd.service" 2>/dev/null | tail -1)
echo "security: $score"
# The same unit with the [web] drop-in (TCP listener allowed): verified and scored too.
mkdir -p "$tmp/web/perchd.service.d"
cp "$tmp/perchd.service" "$tmp/perchd.socket" "$tmp/web/"
cp "$repo/systemd/perchd.service.d/web.conf" "$tmp/web/perchd.service.d/"
if out=$(systemd-analyze verify "$tmp/web/perchd.service" "$tmp/web/perchd.socket" 2>&1) && [ -z "$out" ]; then
    echo "ok: systemd-analyze verify perchd.service + perchd.service.d/web.conf"
else
    echo "FAIL: systemd-analyze verify with web.conf"; echo "$out"; failed=1
fi
web_score=$(systemd-analyze security --offline=true "$tmp/web/perchd.service" 2>/dev/null | tail -1)
echo "security with web.conf: $web_score"
mqtt_score=$(systemd-analyze security --offline=true "$tmp/mqtt/perchd.service" 2>/dev/null | tail -1)
echo "security with mqtt.conf: $mqtt_score"
exit $failed
