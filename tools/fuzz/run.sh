#!/usr/bin/env bash
# libFuzzer runs of Perch's parsers of untrusted input (host mode, ASan).
#   tools/fuzz/run.sh --short [TARGET...]          CI: ~30 s per target on its corpus
#   tools/fuzz/run.sh --long [SECONDS] [TARGET...] developer: SECONDS per target (default 600)
#   tools/fuzz/run.sh --runs N [TARGET...]         developer: N executions per target, split over
#                                                  PERCH_FUZZ_JOBS processes (default 1) that share
#                                                  the grown corpus; their counts are summed
# Targets: json http config model media api (tools/fuzz/targets/fuzz-TARGET.swift; built by build.sh).
# Seeds: tools/fuzz/corpus/TARGET (written for Perch, committed) plus, at run time,
# config/*.conf for `config`, the reference models (../shared/models, models/, the op models in Tests/PerchRuntimeTests) for
# `model` and ../shared/data/JSONTestSuite for `json`. --short fuzzes into a fresh copy each
# time; --long keeps the grown corpus in .build-fuzz/corpus/TARGET (not in git). Crashes,
# leaks, timeouts and OOMs are written to .build-fuzz/findings/TARGET/ (not "artifacts": SwiftPM
# owns and empties that folder of its scratch path at every build).
# Per target it prints executions, exec/s, coverage (cov = edges, ft = features), corpus
# size and the result; the last line is "fuzz: N passed, N failed" (a target passes when it
# ran its time without a finding). Needing ../shared and not finding it fails under CI=true.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
shared=$repo/../shared
scratch=$repo/.build-fuzz
# PERCH_FUZZ_PLAIN=1: the targets built without ASan (see build.sh), in their own scratch
# directory, for long runs of the slow targets.
[ "${PERCH_FUZZ_PLAIN:-0}" = 1 ] && scratch=$repo/.build-fuzz-plain
# A Swift trap goes straight to libFuzzer's deadly-signal handler (the Swift backtracer,
# running under ASan, reports its own reads of the crashed process as use-after-free).
export SWIFT_BACKTRACE=enable=no

mode=${1:-}
shift || true
case "$mode" in
  --short) seconds=${PERCH_FUZZ_SECONDS:-30} ;;
  --long)
    seconds=600
    if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi ;;
  --runs)
    [[ "${1:-}" =~ ^[0-9]+$ ]] || { echo "usage: tools/fuzz/run.sh --runs N [TARGET...]" >&2; exit 2; }
    runs=$1; shift
    jobs=${PERCH_FUZZ_JOBS:-1}
    seconds=0 ;;  # no time limit: each process stops after its share of the executions
  *) echo "usage: tools/fuzz/run.sh --short [TARGET...] | --long [SECONDS] [TARGET...] | --runs N [TARGET...]" >&2; exit 2 ;;
esac
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(json http config model media api)

passed=0
failed=0
record() {  # record DESCRIPTION STATUS
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok: $1"
  else failed=$((failed + 1)); echo "FAILED: $1"; fi
}

if ! tools/fuzz/build.sh "${targets[@]}" > "$scratch.build.log" 2>&1; then
  mkdir -p "$scratch"; mv "$scratch.build.log" "$scratch/build.log" 2>/dev/null
  tail -20 "$scratch/build.log" 2>/dev/null
  for target in "${targets[@]}"; do record "fuzz-$target: build failed (see .build-fuzz/build.log)" 1; done
  echo "fuzz: $passed passed, $failed failed"
  exit 1
fi
mv "$scratch.build.log" "$scratch/build.log"

# Seeds that live outside tools/fuzz, gathered into .build-fuzz/seeds/TARGET at run time.
# Prints nothing and returns 1 when ../shared is missing.
gather_seeds() {
  local target=$1 dir=$scratch/seeds/$1
  rm -rf "$dir"; mkdir -p "$dir"
  case "$target" in
    model)
      for f in "$repo"/models/*/model.tflite; do cp "$f" "$dir/repo-$(basename "$(dirname "$f")").tflite"; done
      for f in "$repo"/Tests/PerchRuntimeTests/OpModels/*/model.tflite; do
        cp "$f" "$dir/op-$(basename "$(dirname "$f")").tflite"
      done
      ls "$shared"/models/*/model.tflite > /dev/null 2>&1 || return 1
      for f in "$shared"/models/*/model.tflite; do cp "$f" "$dir/shared-$(basename "$(dirname "$f")").tflite"; done ;;
    config)
      for f in "$repo"/config/*.conf; do cp "$f" "$dir/"; done ;;
    media)
      # The demo's stills and clip, and the reference samples' images and clips.
      find "$repo"/models -type f \( -name '*.ppm' -o -name '*.pgm' -o -name '*.bmp' -o -name '*.wav' \) -size -2M \
        | head -40 | while read -r f; do cp "$f" "$dir/$(echo "${f#"$repo"/}" | tr / _)"; done ;;
    json)
      ls "$shared"/data/JSONTestSuite/test_parsing/*.json > /dev/null 2>&1 || return 1
      cp "$shared"/data/JSONTestSuite/test_parsing/*.json "$dir/" ;;
  esac
  return 0
}

# The last "#N ... cov: C ft: F corp: A/B" status line's field NAME.
field() { grep -E "^#[0-9]+" "$2" | tail -1 | sed -nE "s/.* $1: ([^ ]+).*/\1/p"; }
stat() { grep -E "^stat::$1:" "$2" | tail -1 | awk '{print $2}'; }

for target in "${targets[@]}"; do
  log=$scratch/logs/$target${mode}.log
  artifacts=$scratch/findings/$target
  mkdir -p "$scratch/logs" "$artifacts"
  if ! gather_seeds "$target"; then
    if [ "${CI:-}" = true ]; then
      record "fuzz-$target: seeds from $shared are missing (CI=true)" 1
      continue
    fi
    echo "skip: fuzz-$target seeds from ../shared ($shared) missing; fuzzing from the committed seeds only"
  fi
  if [ "$mode" != --short ]; then
    work=$scratch/corpus/$target
  else
    work=$scratch/corpus-short/$target
    rm -rf "$work"
  fi
  mkdir -p "$work"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$artifacts/")
  [ -f "tools/fuzz/$target.dict" ] && options+=(-dict="tools/fuzz/$target.dict")
  # HTTP seeds include heads at the 8 KiB limit; let mutations grow past it.
  [ "$target" = http ] && options+=(-max_len=20000)
  # A connection's bytes to the daemon: HTTP's dictionary, uploads up to a few KiB.
  [ "$target" = api ] && options+=(-dict=tools/fuzz/http.dict -max_len=20000)
  # The demo's 700 KB WAV would set the input length; headers and short clips are the point.
  [ "$target" = media ] && options+=(-max_len=65536)
  # PERCH_FUZZ_MAX_LEN caps the input length (the last -max_len wins): JSONTestSuite's
  # 100 KB seeds otherwise set it, and long inputs cut json's rate by 20x.
  [ -n "${PERCH_FUZZ_MAX_LEN:-}" ] && options+=(-max_len="$PERCH_FUZZ_MAX_LEN")
  before=$(ls "$artifacts" | wc -l)
  started=$SECONDS
  # The first directory receives new inputs; the others are read-only seeds.
  corpora=("$work")
  for dir in "tools/fuzz/corpus/$target" "$scratch/seeds/$target"; do
    [ -n "$(ls -A "$dir" 2>/dev/null)" ] && corpora+=("$dir")
  done
  if [ "$mode" = --runs ]; then
    # One process per job, each with its share of the executions, all growing the same
    # corpus directory (libFuzzer rereads it, so the jobs learn from each other).
    share=$(( (runs + jobs - 1) / jobs ))
    rm -f "$log".[0-9]*  # an earlier run's jobs must not join this run's log
    pids=()
    for job in $(seq 1 "$jobs"); do
      "$scratch/bin/fuzz-$target" "${options[@]}" -runs="$share" "${corpora[@]}" > "$log.$job" 2>&1 &
      pids+=($!)
    done
    status=0
    for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
    cat "$log".[0-9]* > "$log"
    executions=0; rate=0
    for job in $(seq 1 "$jobs"); do
      n=$(stat number_of_executed_units "$log.$job"); executions=$((executions + ${n:-0}))
      n=$(stat average_exec_per_sec "$log.$job"); rate=$((rate + ${n:-0}))
    done
  else
    timeout -k 10 $((seconds + 300)) "$scratch/bin/fuzz-$target" "${options[@]}" "${corpora[@]}" > "$log" 2>&1
    status=$?
    executions=$(stat number_of_executed_units "$log")
    rate=$(stat average_exec_per_sec "$log")
  fi
  after=$(ls "$artifacts" | wc -l)
  corpus=$(ls "$work" | wc -l)
  echo "fuzz-$target: ${runs:+$jobs job(s) to $runs runs, }$((SECONDS - started))s, executions ${executions:-?}, exec/s ${rate:-?}, cov $(field cov "$log"), ft $(field ft "$log"), corpus $(field corp "$log") (${corpus} new files in $work), findings $((after - before))"
  if [ "$status" -ne 0 ]; then
    grep -E "^==[0-9]+==ERROR|^SUMMARY|Fatal error|^artifact_prefix|Test unit written" "$log" | head -8
    record "fuzz-$target: status $status (see $log)" 1
  else
    record "fuzz-$target: no crash, leak, timeout or OOM in ${runs:-${seconds}s} ${runs:+executions}" 0
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
