#!/usr/bin/env bash
# The Debian package under a real systemd: a Debian 12 VM (QEMU, TCG) with systemd as PID 1,
# the device VM's kernel and drivers (vivid, snd-aloop, gpio-sim), the package installed
# with apt, and the checks of Tests/vm/guest-systemd.sh: socket activation, Type=notify,
# journal priorities, reload, watchdog restarts, the sandbox, GPIO release on stop, upgrade,
# remove and purge.
#
#   Tests/vm/systemd.sh aarch64|x86_64 [--image-only]
#
# Builds the root image once per $PERCH_CACHE/vm (Tests/vm/systemd-image.sh: downloads
# ~40 MB of Debian packages and configures them in the VM, minutes under TCG), the package
# (cross/package.sh; PERCH_VM_SKIP_BUILD=1 packages the existing build), then boots it.
# --image-only stops after the image: tools/test.sh starts that early, in the background,
# since the image does not depend on Perch.
# Last line: "vm-systemd-ARCH: N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
arch=${1:-}
image_only=0
[ "${2:-}" = --image-only ] && image_only=1
case "$arch" in
  x86_64) debarch=amd64 ;;
  aarch64) debarch=arm64 ;;
  *) echo "usage: Tests/vm/systemd.sh aarch64|x86_64 [--image-only]" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_cache=${PERCH_CACHE:-$repo/.cache}/vm
mkdir -p "$vm_cache"
. "$repo/Tests/vm/debian.sh"
started=$(date +%s)
name=vm-systemd-$arch
summary() {
  echo "$name: took $(( $(date +%s) - started )) s"
  echo "$name: $1 passed, $2 failed"
}
die() { echo "$name: $*" >&2; summary 0 1; exit 1; }

for tool in "qemu-system-$arch" cpio depmod modprobe readelf make gcc mmdebstrap mke2fs dpkg-scanpackages; do
  command -v "$tool" > /dev/null || die "$tool is missing: run tools/install-deps.sh"
done
root=$("$repo/Tests/vm/fetch-kernel.sh" "$debarch") || die "kernel download failed"
gpio_sim=$("$repo/Tests/vm/build-gpio-sim.sh" "$root" "$debarch") || die "gpio-sim build failed"

image_started=$(date +%s)
paths=$("$repo/Tests/vm/systemd-image.sh" "$arch" "$root" "$gpio_sim") || die "the root image could not be built"
image=$(echo "$paths" | sed -n 1p)
initrd=$(echo "$paths" | sed -n 2p)
echo "$name: root image ready after $(( $(date +%s) - image_started )) s" >&2
if [ "$image_only" = 1 ]; then
  echo "$name: took $(( $(date +%s) - started )) s (root image only)"
  exit 0
fi

skip=0
[ "${PERCH_VM_SKIP_BUILD:-0}" = 1 ] && skip=1
deb=$(PERCH_PACKAGE_SKIP_BUILD=$skip "$repo/cross/package.sh" "$arch" 2> "$vm_cache/package-$arch.log" | tail -1)
grep -E "^package: perch_|^lintian: [0-9]+ errors" "$vm_cache/package-$arch.log" >&2
[ -f "$deb" ] || { tail -20 "$vm_cache/package-$arch.log" >&2; die "cross/package.sh $arch failed"; }

# The share: the package, its dependencies as a local apt repository (downloaded once), the
# guest script. apt in the guest must resolve Depends from here; nothing else is reachable.
share=$vm_cache/systemd-share-$arch
mkdir -p "$share/repo"
rm -f "$share"/*.deb "$share"/*.log
cp "$deb" "$share/"
names=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/ //g' | grep .)
# shellcheck disable=SC2086
(cd "$share/repo" && debian_apt "$debarch" apt-get -qq install --download-only -o "Dir::Cache::archives=$share/repo" $names) \
  > "$vm_cache/repo-$arch.log" 2>&1 || { cat "$vm_cache/repo-$arch.log" >&2; die "downloading the dependencies failed"; }
(cd "$share/repo" && dpkg-scanpackages --multiversion . /dev/null > Packages 2> /dev/null) || die "dpkg-scanpackages failed"
install -m 755 "$repo/Tests/vm/guest-systemd.sh" "$share/guest-systemd.sh"
echo "DEB=$(basename "$deb")" > "$share/env"

console=$vm_cache/console-systemd-$arch.log
rm -f "$console"
echo "$name: booting $(cat "$root/.kver") with systemd as PID 1 under TCG" >&2
boot=$(date +%s)
"$repo/Tests/vm/systemd-boot.sh" "$arch" "$root" "$initrd" "$image" "$share" "$console" "${PERCH_VM_TIMEOUT:-2400}" &
qemu=$!
# Follow the console while the VM runs.
tail -n +1 -F "$console" 2> /dev/null | grep --line-buffered -E "^(vm-|  \| )" &
follower=$!
wait $qemu
sleep 0.5; kill $follower 2> /dev/null; wait $follower 2> /dev/null
echo "$name: VM ran $(( $(date +%s) - boot )) s" >&2

passed=$(grep -c "^vm-check: PASS" "$console")
failed=$(grep -c "^vm-check: FAIL" "$console")
if ! grep -q "^vm-guest: done" "$console"; then
  echo "$name: the guest did not finish (see $console)" >&2
  failed=$((failed + 1))
fi
[ "$passed" -gt 0 ] || failed=$((failed + 1))
summary "$passed" "$failed"
[ "$failed" -eq 0 ]
