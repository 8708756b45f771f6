#!/usr/bin/env bash
# The data loop at test size, end to end with real programs: perchd (the demo scene) records
# labelled windows (perch record) and, from a second perchd whose camera shows a real photo,
# unlabelled ones; tools/train/record_dataset.py merges them and lets person_detect (the
# teacher, run by perch) label the photo; tools/train/train.py trains a 2-label model for 2
# epochs on 16 of them; perch model install puts it into the running perchd; its models and
# results then carry the new model's labels, and its event seq runs on without a gap.
#   tools/train/loop.sh [BINDIR]     BINDIR holds perchd and perch (default: the embedded
#                                    x86_64 build if there is one, else .build/debug)
# TensorFlow comes from tools/venv.sh (.build-venv), or PERCH_TRAIN_PYTHON names a Python
# that has tensorflow-cpu, numpy and tflite-micro. Last line: "loop: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
bin=${1:-.build-x86_64/release}
[ -x "$bin/perchd" ] && [ -x "$bin/perch" ] || bin=.build/debug
bin=$(cd "$bin" && pwd)
shared=${PERCH_SHARED:-$(cd .. && pwd)/shared}
work=$(mktemp -d /tmp/perch-loop-XXXXXX)
passed=0 failed=0 pids=()
t0=$(date +%s)

ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
finish() {
  trap '' TERM INT  # timeout signals the child and then its whole group: a second TERM must not cut this short
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  echo "figures: $figures"
  echo "loop: $passed passed, $failed failed"
  rm -rf "$work"
  [ "$failed" -eq 0 ]
  exit
}
# A timeout (tools/test.sh) stops the daemons and the training too: long commands run in the
# background and `wait` for them, so the trap runs at once.
trap 'fail "interrupted"; finish' TERM INT
run_bg() { local log=$1; shift; "$@" > "$log" 2>&1 & pids+=($!); wait $!; }  # run_bg LOG COMMAND...
# (the redirection is inside: one on the call would also swallow the trap's output)
figures=""
lap() { local now; now=$(date +%s); figures+="$1 $((now - t0)) s; "; t0=$now; }

# perchd in the background; waits for its socket.
start_perchd() {  # start_perchd NAME CONFIG
  "$bin/perchd" --config "$2" --socket "$work/$1.sock" > "$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do "$bin/perch" status --socket "$work/$1.sock" > /dev/null 2>&1 && return 0; sleep 0.1; done
  echo "perchd $1 did not come up:"; cat "$work/$1.log"; return 1
}

for f in "$shared/models/person_detect/model.tflite" "$shared/data/grace_hopper.bmp"; do
  [ -f "$f" ] && continue
  # CI must have ../shared; elsewhere the loop is skipped with the reason.
  if [ "${CI:-}" = true ]; then fail "missing $f (../shared)"; else echo "skip: missing $f (../shared)"; fi
  finish
done

# The model perchd runs, in a directory of its own (install replaces it there).
mkdir -p "$work/model"
cp models/perch-av/model.tflite models/perch-av/metadata.json "$work/model/"
demo=$repo/models/perch-av/demo
config() {  # config CAMERA-DEVICE RECORD-DIR: the demo's sources, rules for light_on and person only
  cat <<EOF
[camera]
device = $1
width = 160
height = 120
fps = 10
format = rgb24
[microphone]
device = wav:$demo/demo.wav
period = 320
[model av]
file = $work/model/model.tflite
input.0 = camera
input.1 = microphone
rate = 4
[rule av.light_on]
on = 0.7
off = 0.5
[rule av.person]
on = 0.7
off = 0.5
[record]
directory = $2
EOF
}
config "sequence:$demo/frames.txt" "$work/rec-demo" > "$work/demo.conf"
config "image:$shared/data/grace_hopper.bmp" "$work/rec-photo" > "$work/photo.conf"

# 1. Record: the demo scene with labels (its timeline: models/perch-av/demo/schedule.md) and
# unlabelled; the photo unlabelled, for the teacher.
start_perchd demo "$work/demo.conf" || finish
start_perchd photo "$work/photo.conf" || finish
sock="--socket $work/demo.sock"
check "perch record --label light_on --seconds 3" "$bin/perch" record --label light_on --seconds 3 $sock
check "perch record --seconds 2 (unlabelled)" "$bin/perch" record --seconds 2 $sock
check "perch record --label person --seconds 3" "$bin/perch" record --label person --seconds 3 $sock
check "perch record --seconds 3 from the photo (unlabelled)" "$bin/perch" record --seconds 3 --socket "$work/photo.sock"
kill "${pids[1]}"; wait "${pids[1]}" 2>/dev/null; pids=("${pids[0]}")
lap "record"

# 2. One dataset, the teacher labelling the unlabelled frames.
python=${PERCH_TRAIN_PYTHON:-}
python3 tools/train/record_dataset.py --out "$work/data" "$work/rec-demo" "$work/rec-photo" --labels light_on,person \
  --metadata models/perch-av/metadata.json --teacher "person=$shared/models/person_detect/model.tflite" --perch "$bin/perch" | tee "$work/dataset.log"
grep -q "record_dataset: 11 windows from 2 folders" "$work/dataset.log"; check "record_dataset.py merges 11 windows" test $? -eq 0
# The labels asked for stay on their windows (the teacher only looks at unlabelled ones).
n=$(grep -c '^r0-rec-[0-9]*,light_on$' "$work/data/train/labels.csv")
check "3 demo windows labelled light_on ($n)" test "$n" -eq 3
n=$(grep -c '^r0-rec-[0-9]*,person$' "$work/data/train/labels.csv")
check "3 demo windows labelled person, none added by the teacher ($n)" test "$n" -eq 3
# person_detect sees Grace Hopper in every photo window (what it says of the demo's drawings is not checked).
photo=$(grep -c '^r1-rec-[0-9]*,person$' "$work/data/train/labels.csv")
check "the teacher labels the 3 photo frames person ($photo)" test "$photo" -eq 3
refused() {  # refused TEXT ARGS...: record_dataset.py stops with TEXT in its message
  local text=$1 out; shift
  out=$(python3 tools/train/record_dataset.py "$@" 2>&1) && return 1
  echo "  $out"; [[ $out == *"$text"* ]]
}
check "a teacher for a label the dataset lacks is refused" refused "is not one of the dataset's labels" \
  --out "$work/bad" "$work/rec-demo" --labels light_on --teacher "person=$shared/models/person_detect/model.tflite" --perch "$bin/perch"
check "--out onto a recording is refused" refused "is a recorded folder" --out "$work/rec-demo" "$work/rec-demo"
lap "dataset"

# 3. Retrain at test size.
if [ -z "$python" ]; then
  python=$(tools/venv.sh tensorflow-cpu==2.21.0 numpy==2.4.6 tflite-micro==0.dev20261023182759) \
    || { fail "installing TensorFlow into .build-venv"; finish; }
  lap "venv"
fi
TF_CPP_MIN_LOG_LEVEL=2 run_bg "$work/train.log" nice -n 10 "$python" tools/train/train.py --data "$work/data" --out "$work/new" \
  --epochs 2 --limit 16 --perch "$bin/perch" --threads 2
check "train.py on the recorded dataset (2 epochs)" test $? -eq 0 -a -f "$work/new/model.tflite"
[ -f "$work/new/model.tflite" ] || { tail -20 "$work/train.log"; finish; }
lap "train"

# 4. Install into the running perchd and infer.
before=$("$bin/perch" status --json $sock | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_event_seq"])')
check "perch model install" "$bin/perch" model install "$work/new/model.tflite" --metadata "$work/new/metadata.json" $sock
mods=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["label_modalities"])' "$work/new/metadata.json" 2>&1)
check "the new metadata.json keeps the label modalities ($mods)" test "$mods" = "{'light_on': 'image', 'person': 'image'}"
labels() { "$bin/perch" models --json $sock | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["models"][0]["labels"]))'; }
check "perchd runs the new model's labels (light_on,person)" test "$(labels)" = "light_on,person"
results() { "$bin/perch" results --json $sock | python3 -c '
import json, sys
r = json.load(sys.stdin)["results"][0]
print(",".join(r.get("scores", {}).keys()) if r["inferences"] > 0 else "")'; }
got=""
for _ in $(seq 50); do got=$(results); [ -n "$got" ] && break; sleep 0.2; done
check "results of the new model: $got" test "$got" = "light_on,person"
cmp -s "$work/new/model.tflite" "$work/model/model.tflite"; check "the new model is in place" test $? -eq 0
# Every event from the start, read back: seqs 1, 2, ... with no gap or reset line across the install.
after=$("$bin/perch" status --json $sock | python3 -c 'import json,sys; print(json.load(sys.stdin)["last_event_seq"])')
curl -sN --max-time 2 --unix-socket "$work/demo.sock" "http://perch/v1/events?since=0" > "$work/events.ndjson"
seqs=$(python3 - "$work/events.ndjson" "$after" <<'PY'
import json, sys
seqs, other = [], []
for line in open(sys.argv[1]):
    if line.strip():
        o = json.loads(line)
        (seqs.append(o["seq"]) if "seq" in o else other.append(line.strip()))
ok = seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= int(sys.argv[2]) and not other
print(f"{len(seqs)} events, seq 1..{seqs[-1] if seqs else 0}" + (f", other lines {other}" if other else "") + ("" if ok else " NOT CONTINUOUS"))
PY
)
check "event seq continues across the install ($before before, $after after; $seqs)" test "${seqs%NOT CONTINUOUS}" = "$seqs"
lap "install+infer"
finish
