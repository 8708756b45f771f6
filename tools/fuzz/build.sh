#!/usr/bin/env bash
# Builds the libFuzzer targets (host mode, ASan + libFuzzer coverage) into .build-fuzz/.
#   tools/fuzz/build.sh [TARGET...]      TARGET: json http config model media api (default: all)
# The library modules are built by SwiftPM with coverage and ASan flags in their own scratch
# path; each harness (tools/fuzz/targets/fuzz-TARGET.swift) is then compiled and linked
# against those modules' objects with swiftc -sanitize=fuzzer,address, which links the
# libFuzzer runtime shipped in the toolchain (lib/clang/*/lib/linux/libclang_rt.fuzzer*).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
# PERCH_FUZZ_PLAIN=1: libFuzzer coverage without ASan, into .build-fuzz-plain. For long runs
# of the slow targets (config, api), where ASan halves the rate; Swift's own bounds and
# overflow checks stay on. The default (and CI's --short) keeps ASan.
if [ "${PERCH_FUZZ_PLAIN:-0}" = 1 ]; then
  scratch=$repo/.build-fuzz-plain
  sanitizers=fuzzer
  c_sanitizers=fuzzer-no-link
else
  scratch=$repo/.build-fuzz
  sanitizers=fuzzer,address
  c_sanitizers=fuzzer-no-link,address
fi
out=$scratch/bin
mkdir -p "$out"

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(json http config model media api)

# Modules each harness imports (in link order is not needed: objects are linked together).
modules_for() {
  case "$1" in
    json) echo "PerchJSON PerchSystem" ;;
    http) echo "PerchHTTP PerchJSON" ;;
    config) echo "PerchDaemonCore PerchMedia PerchJSON PerchSystem" ;;
    model) echo "PerchRuntime PerchNEON PerchSDot PerchVNNI PerchX86AVX2" ;;
    media) echo "PerchMedia" ;;
    # The whole daemon core: its modules' objects, the C modules' and the C libraries.
    api) echo "PerchDaemon PerchServer PerchHTTP PerchJSON PerchDaemonCore PerchDevices PerchFrontends PerchMedia PerchJPEG PerchMQTT PerchRuntimeSetup PerchRuntime PerchNEON PerchSDot PerchVNNI PerchX86AVX2 PerchSystem" ;;
    *) echo "unknown fuzz target: $1 (json, http, config, model, media, api)" >&2; return 1 ;;
  esac
}

sanitize_flags=(-Xswiftc -sanitize=$sanitizers -Xcc -fsanitize=$c_sanitizers)
built=" "
for target in "${targets[@]}"; do
  modules=$(modules_for "$target")
  for module in $modules; do
    case "$built" in *" $module "*) continue ;; esac
    echo "building $module (release, -sanitize=$sanitizers)"
    if ! swift build -c release --scratch-path "$scratch" --target "$module" "${sanitize_flags[@]}" \
        > "$scratch/build-$module.log" 2>&1; then
      grep -E "error:" "$scratch/build-$module.log" | head -20
      echo "build of $module failed (see $scratch/build-$module.log)" >&2; exit 1
    fi
    built="$built$module "
  done
  objects=()
  for module in $modules; do
    objects+=("$scratch"/release/"$module".build/*.o)
  done
  link=()
  # C modules (a header and a link line each; CPerchSystem has objects too), for the Swift
  # modules that wrap them: PerchSystem wraps libc, PerchDevices V4L2, ALSA and libgpiod.
  c_modules=
  case " $modules " in *" PerchSystem "*) c_modules="CPerchSystem" ;; esac
  case " $modules " in *" PerchDevices "*) c_modules="$c_modules CPerchV4L2 CPerchALSA CPerchGPIO" ;; esac
  for c in $c_modules; do
    for o in "$scratch"/release/"$c".build/*.o; do [ -f "$o" ] && objects+=("$o"); done
    link+=(-Xcc -fmodule-map-file="$scratch/release/$c.build/module.modulemap" -I "$repo/Sources/$c/include")
    case "$c" in
      CPerchSystem) link+=(-lpthread -lm) ;;
      CPerchV4L2) link+=(-lv4l2) ;;
      CPerchALSA) link+=(-lasound) ;;
      CPerchGPIO) link+=(-lgpiod) ;;
    esac
  done
  # System-library modules (module maps only, no objects): their headers and libraries.
  case " $modules " in *" PerchJPEG "*)
    link+=(-Xcc -fmodule-map-file="$repo/Sources/CPerchJPEG/module.modulemap" -lturbojpeg) ;; esac
  case " $modules " in *" PerchMQTT "*)
    link+=(-Xcc -fmodule-map-file="$repo/Sources/CPerchMQTT/module.modulemap" -lmosquitto) ;; esac
  echo "linking $out/fuzz-$target"
  rm -f "$out/fuzz-$target"
  swiftc -O -sanitize=$sanitizers -parse-as-library -I "$scratch/release/Modules" "${link[@]}" \
    "$repo/tools/fuzz/targets/fuzz-$target.swift" "${objects[@]}" -o "$out/fuzz-$target" 2>&1 \
    | grep -v "warning: Cannot export local symbol" || true
  [ -x "$out/fuzz-$target" ] || { echo "link of fuzz-$target failed" >&2; exit 1; }
done
