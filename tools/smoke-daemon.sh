#!/usr/bin/env bash
# Starts a built perchd --demo (optionally through a runner such as cross/run.sh), queries
# every GET endpoint with the built perch client and curl, sends SIGHUP and SIGTERM, and
# checks the exit status. Prints one line per check and "smoke-daemon: N passed, N failed".
#
#   tools/smoke-daemon.sh DIR [RUNNER]   # DIR holds perchd and perch
set -uo pipefail
dir=$1
runner=${2:-}
tmp=$(mktemp -d)
sock=$tmp/perchd.sock
passed=0; failed=0
check() { if [ "$2" -eq 0 ]; then echo "ok: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi; }
$runner "$dir/perchd" --demo --socket "$sock" > "$tmp/out" 2> "$tmp/log" &
pid=$!
for _ in $(seq 1 200); do [ -S "$sock" ] && break; sleep 0.1; done
sleep 3
for path in /v1/status /v1/models /v1/results/latest /v1/metrics; do
  code=$(curl -s -o "$tmp/body" -w '%{http_code}' --unix-socket "$sock" "http://perch$path")
  [ "$code" = 200 ]; check "GET $path: $code" $?
done
grep -q '"inferences":[1-9]' "$tmp/body" 2>/dev/null || curl -s --unix-socket "$sock" http://perch/v1/status | grep -q '"inferences":[1-9]'
check "inferences are running" $?
$runner "$dir/perch" status --socket "$sock" > "$tmp/status" 2>&1; check "perch status" $?
timeout 5 $runner "$dir/perch" watch --json --since 0 --socket "$sock" > "$tmp/watch" 2>&1
grep -q '"seq":1' "$tmp/watch"; check "perch watch --json replays event 1" $?
kill -HUP "$pid"; sleep 2
curl -s --unix-socket "$sock" http://perch/v1/status | grep -q '"reloads":1'; check "SIGHUP reload" $?
kill -TERM "$pid"; wait "$pid"; check "SIGTERM exits 0" $?
[ "$failed" -eq 0 ] || { echo "--- perchd log"; tail -20 "$tmp/log"; }
rm -rf "$tmp"
echo "smoke-daemon: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
