#!/usr/bin/env bash
# Builds perchd, perch and perch-selfcheck as Embedded Swift for a Linux board.
#
#   cross/build.sh [aarch64|x86_64]      (aarch64 by default)
#
# Output: .build-<arch>/release/{perchd,perch,perch-selfcheck}, stripped (PERCH_STRIP=0 keeps
# symbols). aarch64 links against a Debian 12 arm64 sysroot, built first if missing
# (cross/sysroot.sh); x86_64 links against this machine's own libraries.
set -euo pipefail

arch=${1:-aarch64}
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
swift_bin=$(dirname "$(readlink -f "$(command -v swift)")")
toolchain=$(cd "$swift_bin/.." && pwd)
scratch=$repo/.build-$arch

case "$arch" in
  aarch64)
    triple=aarch64-none-none-elf
    sysroot=$cache/sysroot-arm64
    "$repo/cross/sysroot.sh" arm64 >/dev/null   # builds it if missing or made from another package list
    # Embedded Swift targets bare-metal triples; tell clang (C headers and the linker)
    # that this is Linux with glibc, and take headers and libraries from the sysroot only.
    target_flags=(
      -Xswiftc -Xfrontend -Xswiftc -clang-target -Xswiftc -Xfrontend -Xswiftc aarch64-unknown-linux-gnu
      -Xcc --target=aarch64-unknown-linux-gnu -Xcc "--sysroot=$sysroot"
      -Xswiftc -use-ld=lld
      -Xswiftc -Xclang-linker -Xswiftc --target=aarch64-linux-gnu
      -Xswiftc -Xclang-linker -Xswiftc "--sysroot=$sysroot"
      # Size (issue 13): -z pack-relative-relocs stores the ~2,700 relative relocations of
      # this PIE (Swift metadata and witness tables hold absolute pointers) as a RELR bitmap
      # instead of 24-byte RELA entries (perchd -64 KB; glibc >= 2.36 reads it, which the
      # binaries need anyway); --icf=all (lld) folds functions with identical code, mostly
      # specializations of one generic for types of the same layout (-17 KB). Neither
      # changes an instruction inside a kernel.
      -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --icf=all
    )
    ;;
  x86_64)
    triple=x86_64-unknown-linux-gnu
    target_flags=()
    # A binary to copy to another x86_64 machine runs on any x86_64 CPU: baseline kernels
    # (the AVX-512 VNNI module is still chosen at run time from CPUID). A host-mode build keeps
    # x86-64-v3 (Package.swift); PERCH_X86_MARCH=x86-64-v3 here for an AVX2-only fleet.
    export PERCH_X86_MARCH=${PERCH_X86_MARCH:-x86-64}
    ;;
  *)
    echo "usage: cross/build.sh [aarch64|x86_64]" >&2
    exit 2
    ;;
esac

unicode_tables=$toolchain/lib/swift/embedded/$triple/libswiftUnicodeDataTables.a
if [ ! -f "$unicode_tables" ]; then
  echo "cross/build.sh: $unicode_tables not found: is $toolchain a Swift 6.3 toolchain with Embedded Swift?" >&2
  exit 1
fi

PERCH_EMBEDDED=1 PERCH_TARGET_ARCH=$arch swift build -c release --scratch-path "$scratch" --triple "$triple" \
  -Xcc -fPIC -Xcc -ffunction-sections -Xcc -fdata-sections -Xswiftc -Xfrontend -Xswiftc -function-sections \
  -Xlinker --gc-sections "${target_flags[@]}" -Xlinker "$unicode_tables"

out=$scratch/release
if [ "${PERCH_STRIP:-1}" = 1 ]; then
  for program in perchd perch perch-selfcheck; do
    "$toolchain/bin/llvm-objcopy" --strip-all "$out/$program"
  done
fi
for program in perchd perch perch-selfcheck; do
  printf '%s\t%s bytes\n' "$out/$program" "$(stat -c %s "$out/$program")"
done
