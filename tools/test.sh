#!/usr/bin/env bash
# Perch's whole test run: what CI runs, and what a developer runs before pushing.
#
#   tools/test.sh
#
# 1. installs missing system packages (tools/install-deps.sh); checks the imports of Sources/
#    (tools/check-imports.py)
# 2. host mode: swift build, swift test (XCTest)
# 3. embedded x86_64: cross/build.sh x86_64, self-check and --version natively, and under
#    qemu-x86_64-static as a Nehalem (no AVX2: the portable kernels)
# 4. embedded aarch64: cross/build.sh aarch64, self-check and --version under qemu
#    (cortex-a72: no dotprod, as a Raspberry Pi 4; max: with dotprod)
# 4b. per build: perchd --demo over its socket (tools/smoke-daemon.sh)
# 5. device tests in a VM per architecture (Tests/vm/run.sh): the embedded perch against
#    vivid, snd-aloop, gpio-sim and v4l2loopback (MJPEG) in a Debian kernel under qemu-system
#    (TCG), with faults under perchd and MQTT to a mosquitto in the guest
# 5b. the Debian package (cross/package.sh) under systemd in a Debian 12 VM (Tests/vm/systemd.sh)
# 6. load test: the embedded x86_64 perchd --demo under 200 clients (tools/load/run.sh)
# 6b. live view: the page in headless chromium, snapshots and MJPEG over TCP (tools/view/run.py)
# 6c. MQTT: the embedded x86_64 perchd --demo against a real mosquitto (tools/mqtt/check.py)
# 6d. the data loop: record from perchd --demo, retrain a tiny model, install it (tools/train/loop.sh)
# 7. fuzzing: tools/fuzz/run.sh --short (libFuzzer, ~30 s per target)
# 8. swift test under AddressSanitizer and ThreadSanitizer (tools/sanitize.sh)
# Both embedded builds also run every sample of the reference models (../shared/models),
# of the models shipped in models/ and of the single-operator models
# (Tests/PerchRuntimeTests/OpModels) through `perch model run` (tools/check-models.sh) and
# compare byte for byte, and once more on several threads (x86_64: 3; aarch64 max: 4).
# Per emulated aarch64 CPU, perchd --demo reports the kernel path that CPU gets in
# GET /v1/models (tools/check-daemon-path.sh).
# Ends with one line "total: N passed, N failed" over every test and check it ran.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
logs=${PERCH_TEST_LOGS:-$repo/.build-logs}
mkdir -p "$logs"
passed=0
failed=0

run_start=$(date +%s)
# Each step's header carries the seconds since the run began: the log shows what each step costs.
step() { printf '\n==> %s (at %s s)\n' "$*" "$(( $(date +%s) - run_start ))"; }
record() {  # record NAME STATUS
  if [ "$2" -eq 0 ]; then echo "ok: $1"; else echo "FAILED: $1 (status $2)"; failed=$((failed + 1)); fi
}
# Adds the counts of the last "[word: ]N passed, N failed" line of a log.
count_summary() {  # count_summary NAME LOGFILE STATUS
  local line
  line=$(grep -E '^([a-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed$' "$2" | tail -1 | sed -E 's/^[a-z0-9_-]+: //')
  if [ -z "$line" ]; then
    record "$1 (no summary line)" 1
    return
  fi
  passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
  [ "$3" -eq 0 ] || echo "FAILED: $1 (status $3)"
  [ "$3" -eq 0 ] && echo "ok: $1: $line"
}

step "system packages"
tools/install-deps.sh || { echo "FAILED: installing system packages"; exit 1; }

# Every import under Sources/ is used, and C modules are imported only by their wrappers
# (issue 19). Reads the sources and the C headers (cc -E): ~2 s, bounded at 60.
step "imports (tools/check-imports.py)"
timeout 60 python3 tools/check-imports.py > "$logs/imports.log" 2>&1
status=$?
grep -E "^FAIL" "$logs/imports.log"
count_summary "imports" "$logs/imports.log" "$status"

# ---- systemd VM root image, early and in the background -------------------------------------
# The root images of the systemd VM step (below) do not depend on Perch, and a clean clone
# builds them every run: mmdebstrap downloads, then a first boot that runs dpkg under TCG,
# one single-threaded QEMU per architecture. Each starts here, niced, and overlaps the builds
# and tests up to that step, which waits for it. Bounded by PERCH_SYSTEMD_VM_LIMIT as well.
declare -A systemd_image_pid=() systemd_image_started=()
for arch in ${PERCH_SYSTEMD_VM_ARCHS-aarch64}; do
  step "systemd VM root image ($arch), in the background until its step"
  nice -n 10 timeout -k 20 "${PERCH_SYSTEMD_VM_LIMIT:-1800}" Tests/vm/systemd.sh "$arch" --image-only \
    > "$logs/vm-systemd-image-$arch.log" 2>&1 &
  systemd_image_pid[$arch]=$!
  systemd_image_started[$arch]=$(date +%s)
  echo "started (log: $logs/vm-systemd-image-$arch.log)"
done
# timeout passes a TERM on to each image build's process group (QEMU included).
trap 'for p in "${systemd_image_pid[@]}"; do kill "$p" 2> /dev/null; done' EXIT
# ---- end of systemd VM root image -----------------------------------------------------------

step "host build"
start=$(date +%s)
swift build 2>&1 | tee "$logs/host-build.log" | grep -E "error:|Build complete"
status=${PIPESTATUS[0]}
record "host build ($(( $(date +%s) - start )) s)" "$status"

step "host tests (swift test)"
start=$(date +%s)
swift test 2>&1 | tee "$logs/host-test.log" | grep -E "error:|failed|Executed .* tests|Test Suite 'All tests'|skipped"
status=${PIPESTATUS[0]}
# "Executed N tests, with F failures" or "Executed N tests, with S tests skipped and F failures":
# a skipped test is neither passed nor failed (it is listed with its reason in the log).
summary=$(grep -E "Executed [0-9]+ tests?, with ([0-9]+ tests? skipped and )?[0-9]+ failures?" "$logs/host-test.log" | tail -1)
if [ -n "$summary" ]; then
  executed=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
  failures=$(echo "$summary" | sed -E 's/.* ([0-9]+) failures?.*/\1/')
  skipped=0
  echo "$summary" | grep -q "skipped" && skipped=$(echo "$summary" | sed -E 's/.*with ([0-9]+) tests? skipped.*/\1/')
  [ "$skipped" -gt 0 ] && echo "note: $skipped host tests skipped (see $logs/host-test.log)"
  passed=$((passed + executed - skipped - failures))
  failed=$((failed + failures))
fi
[ "$status" -eq 0 ] && [ -z "$summary" ] && status=1
record "host tests ($(( $(date +%s) - start )) s)" "$status"
[ "$status" -ne 0 ] && [ -n "$summary" ] && [ "$failures" -eq 0 ] && failed=$((failed + 1))

# ---- API document (docs/openapi.yaml) -------------------------------------------------------
# A standard OpenAPI 3 validator (openapi-spec-validator, pip-installed into .build-venv);
# the tests check the document against the real server. 8 s measured, ~50 s with pip
# the first time (creating .build-venv).
step "docs/openapi.yaml (openapi-spec-validator)"
tools/api/validate.sh > "$logs/openapi.log" 2>&1
status=$?
grep -E "^(FAIL|ok)" "$logs/openapi.log"
count_summary "openapi-spec-validator" "$logs/openapi.log" "$status"
# ---- end API document -------------------------------------------------------------------------

step "systemd units"
tools/check-units.sh > "$logs/units.log" 2>&1
record "systemd-analyze verify; $(grep '^security:' "$logs/units.log" | sed 's/^security: //')" $?

for arch in x86_64 aarch64; do
  step "embedded $arch build"
  start=$(date +%s)
  cross/build.sh "$arch" > "$logs/embedded-$arch.log" 2>&1
  status=$?
  grep -E "error:|bytes$" "$logs/embedded-$arch.log"
  record "embedded $arch build ($(( $(date +%s) - start )) s)" "$status"
  [ "$status" -eq 0 ] || continue

  out=.build-$arch/release
  if [ "$arch" = aarch64 ]; then
    file "$out/perchd" | grep -q "ARM aarch64" ; record "perchd is an aarch64 ELF" $?
    cpus=(cortex-a72 max)   # without and with the dot-product extension
    runner="cross/run.sh "
  else
    # native, and a CPU without AVX2 under qemu user mode (the baseline kernels must run there).
    cpus=(native Nehalem)
    runner=""
  fi
  for cpu in "${cpus[@]}"; do
    label=$arch
    if [ "$cpu" != native ]; then export QEMU_CPU=$cpu; label="$arch ($cpu)"; fi
    [ "$arch" = x86_64 ] && [ "$cpu" != native ] && runner="qemu-x86_64-static "
    # cross/run.sh says on stderr whether the sysroot is up to date: not part of the version.
    version=$(${runner}$out/perchd --version 2>&1 | grep -v "^sysroot: ")
    echo "$version" | grep -q "^perchd .* ($arch, embedded)$"; record "$label perchd --version: $version" $?
    # The micro-kernel family the CPU gets: sdot where the CPU has the dot-product extension.
    # On x86_64 AVX-512 VNNI, else AVX2, else the portable path.
    case "$cpu" in
      cortex-a72) want_path=neon-smull ;;
      max) want_path=neon-sdot ;;
      Nehalem) want_path=simd-widening ;;
      native)
        flags=$(grep -m1 '^flags' /proc/cpuinfo)
        if echo "$flags" | grep -qw avx512_vnni && echo "$flags" | grep -qw avx512bw && echo "$flags" | grep -qw avx512vl; then
          want_path=x86-avx512vnni
        elif echo "$flags" | grep -qw avx2; then
          want_path=x86-avx2
        else
          want_path=simd-widening
        fi ;;
      *) want_path= ;;
    esac
    if [ -n "$want_path" ]; then
      path_line=$(${runner}$out/perch model info "$repo/../shared/models/hello_world_int8/model.tflite" 2>&1 | grep '^kernel path:')
      [ "$path_line" = "kernel path: $want_path" ]; record "$label selects $want_path (${path_line:-no kernel path line})" $?
      # perchd itself, as /v1/models reports it (with 2 inference threads).
      tools/check-daemon-path.sh "$out" "$want_path" "${runner% }" > "$logs/daemon-path-$arch-$cpu.log" 2>&1
      status=$?
      grep -E "^FAIL" "$logs/daemon-path-$arch-$cpu.log"
      count_summary "$label perchd reports $want_path" "$logs/daemon-path-$arch-$cpu.log" "$status"
    fi
    ${runner}$out/perch-selfcheck > "$logs/selfcheck.log" 2>&1
    status=$?
    grep -E "^FAIL" "$logs/selfcheck.log"
    count_summary "$label self-check" "$logs/selfcheck.log" "$status"
    tools/check-models.sh "${runner}$out/perch" > "$logs/models-$arch-$cpu.log" 2>&1
    status=$?
    grep -E "^FAIL" "$logs/models-$arch-$cpu.log" | head -20
    count_summary "$label reference models, perch model run" "$logs/models-$arch-$cpu.log" "$status"
    tools/check-models.sh "${runner}$out/perch" "$repo/models" > "$logs/default-models-$arch-$cpu.log" 2>&1
    status=$?
    grep -E "^FAIL" "$logs/default-models-$arch-$cpu.log" | head -20
    count_summary "$label shipped models (models/), perch model run" "$logs/default-models-$arch-$cpu.log" "$status"
    # The single-operator models made by tools/opmodels (oracle: TFLite Micro), same check
    # (not on the emulated Nehalem: 618 runs under qemu cost minutes; the reference and
    # shipped models above run its portable kernels there).
    [ "$cpu" = Nehalem ] && continue_opmodels=0 || continue_opmodels=1
    [ "$continue_opmodels" = 1 ] && tools/check-models.sh "${runner}$out/perch" Tests/PerchRuntimeTests/OpModels > "$logs/opmodels-$arch-$cpu.log" 2>&1
    status=$?
    if [ "$continue_opmodels" = 1 ]; then
      grep -E "^FAIL" "$logs/opmodels-$arch-$cpu.log" | head -20
      count_summary "$label op models, perch model run" "$logs/opmodels-$arch-$cpu.log" "$status"
    fi
    # Multi-threaded inference must give the same bytes: the reference models on 4 threads
    # (aarch64 with dotprod, as a Raspberry Pi 5's four cores) and on 3 (x86_64).
    threads=
    case "$cpu" in max) threads=4 ;; native) threads=3 ;; esac
    if [ -n "$threads" ]; then
      THREADS=$threads tools/check-models.sh "${runner}$out/perch" > "$logs/models-threads-$arch-$cpu.log" 2>&1
      status=$?
      grep -E "^FAIL" "$logs/models-threads-$arch-$cpu.log" | head -20
      count_summary "$label reference models on $threads threads, perch model run" "$logs/models-threads-$arch-$cpu.log" "$status"
    fi
    unset QEMU_CPU
    [ "$arch" = x86_64 ] && runner=""
  done
  tools/smoke-daemon.sh "$out" "${runner% }" > "$logs/smoke-daemon-$arch.log" 2>&1
  status=$?
  grep -E "^FAIL" "$logs/smoke-daemon-$arch.log"
  count_summary "$arch perchd --demo over its socket" "$logs/smoke-daemon-$arch.log" "$status"

  step "device tests in a $arch VM"
  PERCH_VM_SKIP_BUILD=1 Tests/vm/run.sh "$arch" > "$logs/vm-$arch.log" 2>&1
  status=$?
  grep -E "^vm-check: FAIL|^vm-info:" "$logs/vm-$arch.log"
  line=$(grep -E "^vm-$arch: [0-9]+ passed, [0-9]+ failed" "$logs/vm-$arch.log" | tail -1)
  if [ -z "$line" ]; then
    record "vm-$arch (no summary line; see $logs/vm-$arch.log)" 1
  else
    passed=$((passed + $(echo "$line" | cut -d' ' -f2)))
    failed=$((failed + $(echo "$line" | cut -d' ' -f4)))
    [ "$status" -eq 0 ] && echo "ok: $line" || echo "FAILED: $line (status $status; see $logs/vm-$arch.log)"
  fi
done

# ---- Debian package under systemd (cross/package.sh, Tests/vm/systemd.sh) ------------------
# The .deb of the embedded build (lintian: no errors), installed with apt in a Debian 12 VM
# with systemd as PID 1: socket activation, Type=notify, journal priorities, reload, watchdog
# restart, sandbox, GPIO release on stop, upgrade, remove, purge. arm64 runs by default;
# PERCH_SYSTEMD_VM_ARCHS="aarch64 x86_64" adds amd64 (60 checks as well; measured cold at
# load 3-5: root image 550 s in the background (first boot ~465 s of it), step 217 s of which
# the VM 202 s: boot 20 s, apt 32 s, watchdog restart 14 s; TCG runs x86_64 ~3x faster),
# PERCH_SYSTEMD_VM_ARCHS="" skips it. A clean clone builds the root image every run
# (mmdebstrap downloads, then dpkg configures the packages in the VM under TCG).
# Cost, measured cold on this 2-core AMD EPYC at load 5-12 (other engineers' builds), QEMU
# niced: the root image 665 s (mmdebstrap 49 s with its downloads, a first boot of 598 s of
# dpkg under TCG, ~4.5 min of CPU), started early in the background (above); this step 906 s
# (package 30 s, the VM 862 s: boot 124 s, then apt and the checks, ~6 min of CPU). A warm
# image (developers) skips the first. On an idle machine expect about the CPU times.
# Bounded: `timeout` ends the step and its QEMU after PERCH_SYSTEMD_VM_LIMIT s (1800).
# The packages themselves are built and linted on every run (below).
for arch in aarch64 x86_64; do
  step "Debian package ($arch): cross/package.sh, lintian"
  start=$(date +%s)
  if [ -x ".build-$arch/release/perchd" ]; then
    cross/package.sh "$arch" > "$logs/package-$arch.log" 2>&1
    status=$?
    grep -E "^package: |^lintian: [0-9]+ errors" "$logs/package-$arch.log"
    record "Debian package $arch ($(( $(date +%s) - start )) s)" "$status"
    [ "$status" -eq 0 ] && passed=$((passed + 1))
  else
    record "Debian package $arch (no embedded $arch build to package)" 1
  fi
done
for arch in ${PERCH_SYSTEMD_VM_ARCHS-aarch64}; do
  step "Debian package and systemd VM ($arch)"
  start=$(date +%s)
  if [ -n "${systemd_image_pid[$arch]:-}" ]; then
    wait "${systemd_image_pid[$arch]}"
    status=$?
    unset "systemd_image_pid[$arch]"
    grep -E "^vm-firstboot: [a-z0-9]|^vm-systemd-$arch: (unpacked|image ready|took)" "$logs/vm-systemd-image-$arch.log"
    echo "root image (started early): status $status, waited $(( $(date +%s) - start )) s of its $(( $(date +%s) - systemd_image_started[$arch] )) s"
    if [ "$status" -ne 0 ]; then   # no second try: the step's time stays bounded
      tail -20 "$logs/vm-systemd-image-$arch.log"
      record "vm-systemd-$arch: root image (see $logs/vm-systemd-image-$arch.log)" "$status"
      continue
    fi
  fi
  if [ -x ".build-$arch/release/perchd" ]; then
    PERCH_VM_SKIP_BUILD=1 timeout -k 20 "${PERCH_SYSTEMD_VM_LIMIT:-1800}" Tests/vm/systemd.sh "$arch" \
      > "$logs/vm-systemd-$arch.log" 2>&1
    status=$?
    [ "$status" -eq 124 ] && echo "FAILED: vm-systemd-$arch stopped after ${PERCH_SYSTEMD_VM_LIMIT:-1800} s"
    grep -E "^vm-check: FAIL|^vm-info: (boot|watchdog)|^vm-firstboot: [a-z0-9]|^package: perch_|^lintian: [0-9]+ errors|^vm-systemd-$arch: (took|root image|unpacked|image ready|VM ran)" \
      "$logs/vm-systemd-$arch.log"
    count_summary "vm-systemd-$arch ($(( $(date +%s) - start )) s)" "$logs/vm-systemd-$arch.log" "$status"
  else
    record "vm-systemd-$arch (no embedded $arch build to package)" 1
  fi
done
# ---- end of Debian package under systemd ---------------------------------------------------

# ---- load test (tools/load/run.sh) -------------------------------------------------------
# The embedded x86_64 perchd --demo under 200 concurrent clients for 15 s (after a 10 s
# unloaded window). Fails only on faults: daemon died, fd leak, RSS past the bound its limits
# imply or still growing, malformed answers, unexpected statuses, broken event sequences.
# Rates and times are printed, never checked. Adds about 40 s.
step "load test (perchd --demo, 200 clients, 15 s)"
start=$(date +%s)
if [ -x .build-x86_64/release/perchd ]; then
  tools/load/run.sh --perchd .build-x86_64/release/perchd --seconds 15 --clients 200 --baseline-seconds 10 \
    > "$logs/load.log" 2>&1
  status=$?
  grep -E "^(FAIL|inference rate|VmRSS|open fds|responses read)" "$logs/load.log"
  count_summary "load test ($(( $(date +%s) - start )) s)" "$logs/load.log" "$status"
else
  record "load test (no embedded x86_64 perchd to run)" 1
fi
# ---- end of load test --------------------------------------------------------------------

# ---- API property tests (tools/api/schemathesis.sh) ---------------------------------------
# schemathesis (pip, into .build-venv) generates requests from docs/openapi.yaml with every
# check it has, against the embedded x86_64 perchd --demo bridged to 127.0.0.1. Bounded by
# --max-seconds 90 (its fuzzing phase uses the whole budget); 117 s measured at load ~30
# (431 generated cases), plus ~50 s for pip the first time.
step "API property tests (schemathesis, perchd --demo)"
start=$(date +%s)
tools/api/schemathesis.sh --perchd .build-x86_64/release/perchd --max-examples 40 --max-seconds 90 \
  > "$logs/schemathesis.log" 2>&1
status=$?
grep -E "^(FAIL|test cases|ok)" "$logs/schemathesis.log"
count_summary "schemathesis ($(( $(date +%s) - start )) s)" "$logs/schemathesis.log" "$status"
# ---- end API property tests ----------------------------------------------------------------

# ---- live view in a real browser (tools/view/run.py) --------------------------------------
# The embedded x86_64 perchd --demo with [web] on 127.0.0.1 and a token: headless chromium
# (DevTools protocol) checks the page (image size, bars against /v1/results/latest, events
# within 5 s, restart without duplicates, a failed camera as a fault, no console errors) and
# writes screenshots to .build-logs/view/; plain clients check 403/401, snapshots and MJPEG
# parts (djpeg) and six viewers (RSS bounded). Figures are printed, not checked. Bounded by
# timeout 300. Measured 67 s with the embedded x86_64 perchd at load ~2 (102 s with the host
# debug perchd and 10 s windows at load ~23; docs/live-view.md).
step "live view in headless chromium (tools/view/run.py)"
start=$(date +%s)
if [ -x .build-x86_64/release/perchd ]; then
  timeout 300 python3 tools/view/run.py --perchd .build-x86_64/release/perchd --out "$logs/view" > "$logs/view.log" 2>&1
  status=$?
  grep -E "^(FAIL|figures:|screenshots:)" "$logs/view.log"
  count_summary "live view ($(( $(date +%s) - start )) s)" "$logs/view.log" "$status"
else
  record "live view (no embedded x86_64 perchd to run)" 1
fi
# ---- end live view ------------------------------------------------------------------------

# ---- MQTT against a real mosquitto (tools/mqtt/check.py) -----------------------------------
# The embedded x86_64 perchd --demo publishing to mosquitto on free ports of 127.0.0.1:
# discovery, states and events, commands, a 10 s broker outage, kill -9 (the will), TLS with a
# CA made by openssl plus a password file, a wrong password. Bounded by `timeout 300`;
# measured 64-70 s at load 21-25 (most of it the waits of the outage and the commands).
step "MQTT (tools/mqtt/check.py, a real mosquitto)"
start=$(date +%s)
if [ -x .build-x86_64/release/perchd ]; then
  timeout 300 python3 tools/mqtt/check.py .build-x86_64/release/perchd --log-dir "$logs" > "$logs/mqtt.log" 2>&1
  status=$?
  grep -E "^(FAIL|info)" "$logs/mqtt.log"
  count_summary "MQTT ($(( $(date +%s) - start )) s)" "$logs/mqtt.log" "$status"
else
  record "MQTT (no embedded x86_64 perchd to run)" 1
fi
# ---- end MQTT ----------------------------------------------------------------------------

# ---- the data loop at test size (tools/train/loop.sh) ---------------------------------------
# The embedded x86_64 perchd --demo records labelled and unlabelled windows (perch record), a
# second one records a photo; tools/train/record_dataset.py merges them, person_detect (run by
# perch) labels the unlabelled frames; train.py trains a 2-label model for 2 epochs on 16
# samples (TensorFlow pip-installed into .build-venv by tools/venv.sh); perch model install puts
# it into the running perchd, which then infers with its labels and keeps its event seq.
# Bounded by timeout 900. Measured 202 s at load 8-10 on the 2 shared cores (AMD EPYC): pip
# installing tensorflow-cpu, numpy, tflite-micro into a .build-venv that already had the API
# tools (no pip cache) 112 s, recording 11 s, dataset and teacher 2 s, training with conversion
# and TFLite Micro evaluation 72 s, install and inference 4 s; 95 s when TensorFlow is there
# (154 s at load ~12, training 129 s of it).
step "data loop: record, retrain, install (tools/train/loop.sh)"
start=$(date +%s)
if [ -x .build-x86_64/release/perchd ]; then
  timeout 900 tools/train/loop.sh .build-x86_64/release > "$logs/loop.log" 2>&1
  status=$?
  grep -E "^(FAIL|figures:)" "$logs/loop.log"
  count_summary "data loop ($(( $(date +%s) - start )) s)" "$logs/loop.log" "$status"
else
  record "data loop (no embedded x86_64 perchd to run)" 1
fi
# ---- end data loop -----------------------------------------------------------------------------

# ---- fuzzing (tools/fuzz/run.sh --short) --------------------------------------------------
# libFuzzer + ASan builds of the model loader, HTTP request, JSON and config parsers, the
# upload file readers (media) and the daemon's request handling (api), ~30 s each on their
# seed corpus; a target passes when it runs its time without a finding. Adds about 4 min on
# a clean clone for the first four (~100 s building the instrumented modules, 4 x 30 s
# fuzzing); media and api add 2 x 30 s and the instrumented daemon modules (api), several
# minutes more under load (not yet measured on an idle machine).
step "fuzzing, short runs (tools/fuzz/run.sh --short)"
start=$(date +%s)
tools/fuzz/run.sh --short > "$logs/fuzz.log" 2>&1
status=$?
grep -E "^fuzz-|^FAILED|^skip" "$logs/fuzz.log"
count_summary "fuzzing ($(( $(date +%s) - start )) s)" "$logs/fuzz.log" "$status"
# ---- end fuzzing ----------------------------------------------------------------------------

# ---- sanitizers: swift test under AddressSanitizer (+LeakSanitizer) and ThreadSanitizer ----
# tools/sanitize.sh builds into .build-asan / .build-tsan and ends with
# "sanitize-MODE: N passed, N failed" (failed = failed tests + sanitizer reports).
# Adds two clean builds and two test runs. Measured on the 2 shared cores at load ~5:
# address 78 s + 67 s, thread 92 s + 51 s (about 5 minutes); at load 12-15 from other
# builds: address 117 s + 219-294 s, thread 159 s + 171-267 s (about 11-14 minutes).
for mode in address thread; do
  step "swift test under -sanitize=$mode"
  start=$(date +%s)
  tools/sanitize.sh "$mode" > "$logs/sanitize-$mode.log" 2>&1
  status=$?
  grep -E "^sanitize-$mode: |^not instrumented|^no sanitizer runtime|^SUMMARY: " "$logs/sanitize-$mode.log"
  count_summary "swift test -sanitize=$mode ($(( $(date +%s) - start )) s)" "$logs/sanitize-$mode.log" "$status"
done
# ---- end sanitizers ----

echo
echo "run time: $(( $(date +%s) - run_start )) s"
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
