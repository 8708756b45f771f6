#!/usr/bin/env bash
# Builds the test VM's initramfs: busybox, the kernel modules the tests load (vivid,
# snd-aloop, configfs, the out-of-tree gpio-sim), the embedded `perch` and `perchd` binaries
# with the shared libraries they need, the default model (models/perch-av: model.tflite and
# labels.txt only), ALSA's configuration, /init and the guest test scripts, and
# mosquitto and mosquitto_sub for guest-mqtt.sh (aarch64: from the arm64 Debian packages),
# and for guest-mjpeg.sh the out-of-tree v4l2loopback, a static mjpeg-feed and two JPEGs.
#
#   Tests/vm/make-initramfs.sh ARCH KERNEL_ROOT GPIO_SIM_KO V4L2LOOPBACK_KO OUTPUT
#   ARCH = x86_64|aarch64
set -euo pipefail
arch=$1 root=$2 gpio_sim=$3 v4l2loopback=$4 output=$5
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
vm_cache=$cache/vm
. "$repo/Tests/vm/debian.sh"
kver=$(cat "$root/.kver")
perch=$repo/.build-$arch/release/perch
perchd=$repo/.build-$arch/release/perchd
for program in "$perch" "$perchd"; do
  [ -x "$program" ] || { echo "vm: $program is missing: run cross/build.sh $arch" >&2; exit 1; }
done

case "$arch" in
  x86_64)  libroot=/ ; busybox=/bin/busybox ;;
  aarch64)
    libroot=$cache/sysroot-arm64
    if [ ! -x "$vm_cache/busybox-arm64/bin/busybox" ]; then
      debian_download arm64 "$vm_cache/debs/arm64" busybox-static
      dpkg-deb -x "$(ls "$vm_cache"/debs/arm64/busybox-static_*.deb | head -1)" "$vm_cache/busybox-arm64"
    fi
    busybox=$vm_cache/busybox-arm64/bin/busybox ;;
esac

tree=$vm_cache/initramfs-$arch
rm -rf "$tree"
mkdir -p "$tree"/{bin,sbin,dev,proc,sys,tmp,run,etc,usr/share,lib/modules/$kver/extra}
cp "$busybox" "$tree/bin/busybox"
ln -s busybox "$tree/bin/sh"

# Kernel modules: the dependency closure as the kernel's own modprobe sees it.
depmod -b "$root" "$kver"
modprobe -d "$root" -S "$kver" --show-depends -a vivid snd-aloop configfs \
  | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
    rel=${ko#"$root"/}
    mkdir -p "$tree/$(dirname "$rel")"
    cp "$ko" "$tree/$rel"
  done
cp "$gpio_sim" "$v4l2loopback" "$tree/lib/modules/$kver/extra/"
cp "$root/lib/modules/$kver/modules.builtin" "$root/lib/modules/$kver/modules.order" "$tree/lib/modules/$kver/"
depmod -b "$tree" "$kver"

# The programs under test and, recursively, the shared libraries they need.
copy_file() {  # copy_file PATH-IN-LIBROOT: the file (symlinks resolved) at the same path
  local source=$libroot$1
  mkdir -p "$tree$(dirname "$1")"
  cp -L "$source" "$tree$1"
}
find_library() {
  local dir
  for dir in /lib/$2 /usr/lib/$2 /lib /usr/lib /lib64; do
    [ -e "$libroot$dir/$1" ] && { echo "$dir/$1"; return; }
  done
  echo "vm: library $1 not found under $libroot" >&2; return 1
}
triple=$arch-linux-gnu
declare -A copied=()
queue=("$perch" "$perchd")
cp "$perch" "$tree/bin/perch"
cp "$perchd" "$tree/bin/perchd"
for program in "$perch" "$perchd"; do
  interpreter=$(readelf -l "$program" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
  copy_file "$interpreter"
done
while [ ${#queue[@]} -gt 0 ]; do
  elf=${queue[0]}; queue=("${queue[@]:1}")
  for lib in $(readelf -d "$elf" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
    [ -n "${copied[$lib]:-}" ] && continue
    path=$(find_library "$lib" "$triple")
    copy_file "$path"
    copied[$lib]=1
    queue+=("$libroot$path")
  done
done

# MQTT: mosquitto and mosquitto_sub with their libraries (guest-mqtt.sh). x86_64 takes the
# host's (tools/install-deps.sh installs them); aarch64 unpacks the arm64 packages and their
# dependencies into a second library root.
mqtt_root=$libroot
if [ "$arch" = aarch64 ]; then
  mqtt_root=$vm_cache/mqtt-arm64
  if [ ! -x "$mqtt_root/usr/sbin/mosquitto" ]; then
    debian_apt arm64 apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances --no-pre-depends mosquitto mosquitto-clients 2>/dev/null \
      | grep -E '^[a-z0-9]' | sort -u > "$vm_cache/mqtt-arm64.list"
    # shellcheck disable=SC2046
    debian_download arm64 "$vm_cache/debs/arm64-mqtt" $(cat "$vm_cache/mqtt-arm64.list")
    rm -rf "$mqtt_root.tmp" && mkdir -p "$mqtt_root.tmp"
    for deb in "$vm_cache"/debs/arm64-mqtt/*.deb; do dpkg-deb -x "$deb" "$mqtt_root.tmp"; done
    mv "$mqtt_root.tmp" "$mqtt_root"
  fi
fi
for tool in usr/sbin/mosquitto usr/bin/mosquitto_sub; do
  [ -x "$mqtt_root/$tool" ] || { echo "vm: $mqtt_root/$tool is missing" >&2; continue; }
  cp "$mqtt_root/$tool" "$tree/bin/"
  queue=("$mqtt_root/$tool")
  while [ ${#queue[@]} -gt 0 ]; do
    elf=${queue[0]}; queue=("${queue[@]:1}")
    for lib in $(readelf -d "$elf" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
      [ -n "${copied[$lib]:-}" ] && continue
      if path=$(find_library "$lib" "$triple" 2>/dev/null); then
        copy_file "$path"
        queue+=("$libroot$path")
      else
        path=$(libroot=$mqtt_root find_library "$lib" "$triple") || continue
        mkdir -p "$tree$(dirname "$path")"
        cp -L "$mqtt_root$path" "$tree$path"
        queue+=("$mqtt_root$path")
      fi
      copied[$lib]=1
    done
  done
done

# guest-mjpeg.sh: the MJPEG producer (static, so it needs no libraries) and its frames, two
# of the demo scene's images compressed here with cjpeg.
case "$arch" in
  x86_64) feed_cc=(gcc) ;;
  aarch64) feed_cc=(aarch64-linux-gnu-gcc --sysroot="$libroot") ;;
esac
"${feed_cc[@]}" -O2 -static -Wall -o "$tree/bin/mjpeg-feed" "$repo/Tests/vm/mjpeg-feed.c"
mkdir -p "$tree/mjpeg"
for image in room person; do
  cjpeg -quality 85 "$repo/models/perch-av/demo/$image.ppm" > "$tree/mjpeg/$image.jpg"
  # The pixels an independent decoder (djpeg) gets, without the 15-byte PPM header.
  djpeg -ppm "$tree/mjpeg/$image.jpg" | tail -c $((160 * 120 * 3)) > "$tree/mjpeg/$image.rgb"
done

# libasound reads its configuration (cards/, pcm/) at the first open.
mkdir -p "$tree/usr/share/alsa"
cp -rL "$libroot/usr/share/alsa/alsa.conf" "$libroot/usr/share/alsa/cards" "$libroot/usr/share/alsa/pcm" "$tree/usr/share/alsa/"

# The model perchd runs in the guest (guest-tests.sh writes its configuration).
mkdir -p "$tree/models/perch-av"
cp "$repo/models/perch-av/model.tflite" "$repo/models/perch-av/labels.txt" "$tree/models/perch-av/"

install -m 755 "$repo/Tests/vm/guest-init.sh" "$tree/init"
install -m 644 "$repo/Tests/vm/guest-lib.sh" "$tree/guest-lib.sh"
install -m 755 "$repo/Tests/vm/guest-tests.sh" "$tree/guest-tests.sh"
install -m 755 "$repo/Tests/vm/guest-faults.sh" "$tree/guest-faults.sh"
install -m 755 "$repo/Tests/vm/guest-mqtt.sh" "$tree/guest-mqtt.sh"
install -m 755 "$repo/Tests/vm/guest-mjpeg.sh" "$tree/guest-mjpeg.sh"
(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1) > "$output"
echo "vm: initramfs $(du -h "$output" | cut -f1), ${#copied[@]} libraries, $(find "$tree/lib/modules" -name '*.ko' | wc -l) modules" >&2
