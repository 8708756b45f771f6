#!/usr/bin/env bash
# Starts a built perchd --demo with 2 inference threads (optionally through a runner such as
# cross/run.sh, QEMU_CPU choosing the emulated CPU) and checks what it runs, as a user sees
# it: GET /v1/models and /v1/status report kernel_path WANT and threads 2 for the model, and
# `perch models` prints them. Prints one line per check and "daemon-path: N passed, N failed".
#
#   tools/check-daemon-path.sh DIR WANT [RUNNER]   # DIR holds perchd and perch
set -uo pipefail
dir=$1
want=$2
runner=${3:-}
tmp=$(mktemp -d)
sock=$tmp/perchd.sock
passed=0; failed=0
check() { if [ "$2" -eq 0 ]; then echo "ok: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; failed=$((failed + 1)); fi; }
field() {  # field PATH KEY: the first model's KEY in GET PATH
  curl -s --unix-socket "$sock" "http://perch$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["models"][0].get(sys.argv[1]))' "$2" 2>/dev/null
}
$runner "$dir/perchd" --demo --set model.av.threads=2 --socket "$sock" > "$tmp/out" 2> "$tmp/log" &
pid=$!
for _ in $(seq 1 300); do [ -S "$sock" ] && break; sleep 0.1; done
path=$(field /v1/models kernel_path)
[ "$path" = "$want" ]; check "GET /v1/models kernel_path: ${path:-none} (want $want)" $?
threads=$(field /v1/models threads)
[ "$threads" = 2 ]; check "GET /v1/models threads: ${threads:-none} (want 2)" $?
path=$(field /v1/status kernel_path)
[ "$path" = "$want" ]; check "GET /v1/status kernel_path: ${path:-none}" $?
$runner "$dir/perch" models --socket "$sock" > "$tmp/models" 2>&1
grep -q "MACs, $want, 2 threads" "$tmp/models"; check "perch models prints '$want, 2 threads'" $?
for _ in $(seq 1 100); do
  [ "$(field /v1/status inferences)" -ge 2 ] 2>/dev/null && break
  sleep 0.2
done
[ "$(field /v1/status inferences)" -ge 2 ] 2>/dev/null; check "inferences run on 2 threads" $?
kill -TERM "$pid"; wait "$pid"; check "SIGTERM exits 0" $?
[ "$failed" -eq 0 ] || { echo "--- perchd log"; tail -20 "$tmp/log"; cat "$tmp/models"; }
rm -rf "$tmp"
echo "daemon-path: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
