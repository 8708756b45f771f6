#!/usr/bin/env bash
# Builds v4l2loopback out of tree for a Debian kernel unpacked by fetch-kernel.sh, from
# Debian's v4l2loopback-dkms source package (arch all; no Debian kernel ships the module).
# guest-mjpeg.sh feeds it MJPEG frames: a camera that only delivers MJPEG.
#
#   Tests/vm/build-v4l2loopback.sh KERNEL_ROOT ARCH     ARCH = amd64|arm64; prints the .ko path
set -euo pipefail
root=$1 arch=$2
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_cache=${PERCH_CACHE:-$repo/.cache}/vm
. "$repo/Tests/vm/debian.sh"
kver=$(cat "$root/.kver")
out=$root/v4l2loopback
if [ -f "$out/v4l2loopback.ko" ]; then echo "$out/v4l2loopback.ko"; exit 0; fi

debian_download "$arch" "$vm_cache/debs/all" v4l2loopback-dkms
rm -rf "$out" "$out.deb"; mkdir -p "$out"
dpkg-deb -x "$(ls "$vm_cache"/debs/all/v4l2loopback-dkms_*.deb | head -1)" "$out.deb"
cp "$out.deb"/usr/src/v4l2loopback-*/*.[ch] "$out/"
rm -rf "$out.deb"
echo 'obj-m := v4l2loopback.o' > "$out/Kbuild"

make_args=(-C "$root/usr/src/linux-headers-$kver" "M=$out" modules)
[ "$arch" = arm64 ] && make_args+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
make "${make_args[@]}" > "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
echo "$out/v4l2loopback.ko"
