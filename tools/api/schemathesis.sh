#!/usr/bin/env bash
# Property-based tests of the socket API from docs/openapi.yaml by schemathesis (an outside
# tool), against a real `perchd --demo` bridged to 127.0.0.1 (tools/api/bridge.py).
#
#   tools/api/schemathesis.sh [--perchd PATH] [--max-examples N] [--max-seconds S] [--seed N]
#
# Every check schemathesis has (--checks all), every phase (examples, coverage, fuzzing);
# tools/api/schemathesis.toml and schemathesis_hooks.py say what the document cannot (that an
# upload is a file, how to read an NDJSON stream). The daemon must still answer /v1/status
# afterwards. Prints schemathesis's summary, the number of generated cases, and last
# "schemathesis: N passed, N failed" (per operation; a failure or error in one fails it).
# perchd: the embedded x86_64 build, else the host debug build.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
perchd=
max_examples=40
max_seconds=240
seed=
while [ $# -gt 0 ]; do
  case "$1" in
    --perchd) perchd=$2; shift 2 ;;
    --max-examples) max_examples=$2; shift 2 ;;
    --max-seconds) max_seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "usage: tools/api/schemathesis.sh [--perchd PATH] [--max-examples N] [--max-seconds S] [--seed N]" >&2; exit 2 ;;
  esac
done
if [ -z "$perchd" ]; then
  for candidate in .build-x86_64/release/perchd .build/debug/perchd; do
    [ -x "$candidate" ] && { perchd=$candidate; break; }
  done
fi
fail() { echo "FAIL: $1"; echo "schemathesis: 0 passed, 1 failed"; exit 1; }
[ -x "$perchd" ] || fail "no perchd to test (build one, or --perchd PATH)"
python=$(tools/venv.sh schemathesis==4.32.5 openapi-spec-validator==0.9.0) || fail "cannot install schemathesis"

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# With a [record] section (a small budget in the temporary directory), so that POST /v1/record
# reaches its logic rather than the 409 of a daemon that does not record.
"$perchd" --demo --socket "$tmp/perchd.sock" --set record.directory="$tmp/record" --set record.budget-mb=2 \
  > "$tmp/perchd.out" 2> "$tmp/perchd.log" &
perchd_pid=$!
pids+=("$perchd_pid")
for _ in $(seq 1 200); do [ -S "$tmp/perchd.sock" ] && break; sleep 0.1; done
[ -S "$tmp/perchd.sock" ] || { cat "$tmp/perchd.log"; fail "perchd --demo did not open its socket"; }
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$python" tools/api/bridge.py "$tmp/perchd.sock" "$port" --max-seconds $((max_seconds + 120)) > "$tmp/bridge.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do grep -q "^bridge:" "$tmp/bridge.log" && break; sleep 0.1; done
echo "perchd: $perchd ($("$perchd" --version)), bridged to 127.0.0.1:$port"

mkdir -p .build-logs/schemathesis
report=.build-logs/schemathesis
rm -f "$report"/junit.xml
seed_args=()
[ -n "$seed" ] && seed_args=(--seed "$seed")
# --max-time bounds the run; the outer timeout covers a hang in schemathesis itself.
SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH=tools/api \
  timeout $((max_seconds + 60)) "$python" -m schemathesis.cli --config-file tools/api/schemathesis.toml \
  run docs/openapi.yaml --url "http://127.0.0.1:$port" --checks all --max-examples "$max_examples" \
  --max-time "$max_seconds" --request-timeout 30 --workers 1 --no-color "${seed_args[@]}" \
  --report junit --report-junit-path "$report/junit.xml" > "$report/output.txt" 2>&1
status=$?
sed -n '/^=* *\(FAILURES\|ERRORS\) *=*$/,$p' "$report/output.txt" | head -150
grep -E "^ *[0-9]+ generated" "$report/output.txt" | sed 's/^ */test cases: /'

# Per operation from the JUnit report: a testcase with a failure or error element failed.
read -r ops_passed ops_failed < <("$python" - "$report/junit.xml" <<'EOF'
import sys
import xml.etree.ElementTree as tree
try:
    cases = tree.parse(sys.argv[1]).getroot().iter("testcase")
except (OSError, tree.ParseError):
    print(0, 1)
    sys.exit()
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
        print("FAIL: " + case.get("name", "?"), file=sys.stderr)
    else:
        passed += 1
print(passed, failed)
EOF
)
# The daemon kept running through it all.
if "$python" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: perch\r\nConnection: close\r\n\r\n")
sys.exit(0 if s.recv(64).startswith(b"HTTP/1.1 200") else 1)' "$tmp/perchd.sock" && kill -0 "$perchd_pid" 2>/dev/null; then
  echo "ok: perchd still answers /v1/status"
  ops_passed=$((ops_passed + 1))
else
  echo "FAIL: perchd stopped answering (its log: $(tail -5 "$tmp/perchd.log"))"
  ops_failed=$((ops_failed + 1))
fi
[ "$status" -eq 0 ] || [ "$ops_failed" -gt 0 ] || { echo "FAIL: schemathesis exited $status (see $report/output.txt)"; ops_failed=$((ops_failed + 1)); }
echo "schemathesis: $ops_passed passed, $ops_failed failed"
[ "$ops_failed" -eq 0 ]
