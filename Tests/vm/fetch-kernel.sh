#!/usr/bin/env bash
# Downloads and unpacks the current Debian 12 kernel for ARCH (amd64|arm64): image with
# modules, headers (with amd64 kbuild tools, which run on this machine) and linux-source.
# Nothing here is committed: it all lands in the cache.
#
#   Tests/vm/fetch-kernel.sh ARCH      prints the unpacked root folder; KVER in root/.kver
set -euo pipefail
arch=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_cache=${PERCH_CACHE:-$repo/.cache}/vm
. "$repo/Tests/vm/debian.sh"
# One fetch at a time per cache: tools/test.sh builds the systemd VM's root image in the
# background while other steps may fetch kernels (the package lists and debs/all are shared).
mkdir -p "$vm_cache"
exec 9> "$vm_cache/.fetch-kernel.lock"
flock 9

abi=$(debian_kernel_abi "$arch")
[ -n "$abi" ] || { echo "vm: cannot resolve the kernel ABI of linux-image-$arch" >&2; exit 1; }
root=$vm_cache/kernel-$abi
if [ -f "$root/.complete" ]; then echo "$root"; exit 0; fi

version=$(debian_apt "$arch" apt-cache show "linux-image-$abi" | sed -n 's/^Version: //p' | head -1)
debs=$vm_cache/debs
debian_download "$arch" "$debs/$arch" "linux-image-$abi" "linux-headers-$abi"
debian_download amd64 "$debs/all" "linux-headers-${abi%-*}-common=$version" \
  "linux-kbuild-6.1=$version" "linux-source-6.1=$version"

rm -rf "$root.tmp"; mkdir -p "$root.tmp"
for deb in "$debs/$arch/linux-image-${abi}_"*.deb "$debs/$arch/linux-headers-${abi}_"*.deb \
           "$debs/all/linux-headers-${abi%-*}-common_${version}_"*.deb \
           "$debs/all/linux-kbuild-6.1_${version}_"*.deb; do
  dpkg-deb -x "$deb" "$root.tmp"
done
# Absolute symlinks (headers -> kbuild, build -> headers) must resolve inside this tree.
find "$root.tmp" -type l | while read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root.tmp$target")" "$link" ;;
  esac
done
# The arch headers' Makefile includes the common one by absolute path; make it relative
# (make resolves includes from the -C folder).
sed -i "s|^include /usr/src/|include ../|" "$root.tmp/usr/src/linux-headers-$abi/Makefile"
src=$(ls "$debs/all/linux-source-6.1_${version}_"*.deb)
mkdir -p "$root.tmp/src"
# Only the three files gpio-sim needs are taken from the source tarball.
dpkg-deb --fsys-tarfile "$src" | tar -xO --wildcards '*/linux-source-6.1.tar.xz' \
  | xz -dc | tar -x -C "$root.tmp/src" --strip-components=1 \
      linux-source-6.1/drivers/gpio/gpio-sim.c linux-source-6.1/drivers/gpio/gpiolib.h \
      linux-source-6.1/kernel/irq/irq_sim.c
echo "${abi}" > "$root.tmp/.kver"
rm -rf "$root"; mv "$root.tmp" "$root"
date -u +%FT%TZ > "$root/.complete"
echo "$root"
