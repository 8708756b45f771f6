#!/usr/bin/env bash
# Device tests against real kernel drivers in QEMU (TCG): vivid (V4L2 camera), snd-aloop
# (ALSA loopback) and gpio-sim (simulated GPIO chip), driven by the embedded `perch` binary.
#
#   Tests/vm/run.sh aarch64|x86_64
#
# Downloads the current Debian 12 kernel, headers and linux-source into $PERCH_CACHE/vm
# (default .cache/vm), builds gpio-sim and v4l2loopback for it, builds perch (cross/build.sh ARCH) unless
# PERCH_VM_SKIP_BUILD=1, boots the VM and reads the checks from its console.
# PERCH_VM_ONLY=faults,mqtt runs only those guest scripts (tests, faults, mqtt, mjpeg: the
# guest-NAME.sh files), for a short loop while working on one of them; CI runs all.
# Last line: "vm-ARCH: N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
arch=${1:-}
case "$arch" in
  x86_64) debarch=amd64 ;;
  aarch64) debarch=arm64 ;;
  *) echo "usage: Tests/vm/run.sh aarch64|x86_64" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_cache=${PERCH_CACHE:-$repo/.cache}/vm
mkdir -p "$vm_cache"
started=$(date +%s)
summary() {
  echo "vm-$arch: took $(( $(date +%s) - started )) s"
  echo "vm-$arch: $1 passed, $2 failed"
}
die() { echo "vm-$arch: $*" >&2; summary 0 1; exit 1; }

for tool in "qemu-system-$arch" cpio depmod modprobe readelf make gcc cjpeg djpeg; do
  command -v "$tool" >/dev/null || die "$tool is missing: run tools/install-deps.sh"
done
[ "$arch" = aarch64 ] && { command -v aarch64-linux-gnu-gcc >/dev/null || die "aarch64-linux-gnu-gcc is missing"; }

root=$("$repo/Tests/vm/fetch-kernel.sh" "$debarch") || die "kernel download failed"
gpio_sim=$("$repo/Tests/vm/build-gpio-sim.sh" "$root" "$debarch") || die "gpio-sim build failed"
v4l2loopback=$("$repo/Tests/vm/build-v4l2loopback.sh" "$root" "$debarch") || die "v4l2loopback build failed"
if [ "${PERCH_VM_SKIP_BUILD:-0}" != 1 ]; then
  "$repo/cross/build.sh" "$arch" > "$vm_cache/build-$arch.log" 2>&1 || { tail -20 "$vm_cache/build-$arch.log"; die "cross/build.sh $arch failed"; }
fi
initrd=$vm_cache/initrd-$arch.gz
"$repo/Tests/vm/make-initramfs.sh" "$arch" "$root" "$gpio_sim" "$v4l2loopback" "$initrd" || die "initramfs build failed"
kver=$(cat "$root/.kver")

case "$arch" in
  x86_64)
    # The uncompressed kernel boots directly (PVH) and saves ~6 s of unpacking under TCG.
    kernel=$root/vmlinux
    if [ ! -f "$kernel" ]; then
      vmlinuz=$root/boot/vmlinuz-$kver
      offset=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
      tail -c +$((offset + 1)) "$vmlinuz" | xz -dc > "$kernel.tmp" 2>/dev/null
      [ -s "$kernel.tmp" ] || die "could not unpack $vmlinuz"
      mv "$kernel.tmp" "$kernel"
    fi
    qemu=(qemu-system-x86_64 -accel tcg -M q35 -m 512 -kernel "$kernel" -append 'console=ttyS0 panic=-1 quiet') ;;
  aarch64)
    qemu=(qemu-system-aarch64 -accel tcg -M virt -cpu cortex-a72 -m 512 -kernel "$root/boot/vmlinuz-$kver"
          -append 'console=ttyAMA0 panic=-1 quiet') ;;
esac

# An unknown NAME=VALUE on the kernel command line lands in /init's environment.
[ -n "${PERCH_VM_ONLY:-}" ] && qemu[${#qemu[@]}-1]="${qemu[${#qemu[@]}-1]} PERCH_VM_ONLY=$PERCH_VM_ONLY"
console=$vm_cache/console-$arch.log
echo "vm-$arch: booting $kver under TCG" >&2
boot=$(date +%s)
timeout "${PERCH_VM_TIMEOUT:-600}" "${qemu[@]}" -smp 1 -nographic -no-reboot -initrd "$initrd" \
  < /dev/null 2>&1 | tr -d '\r' | tee "$console" | grep -E "^(vm-|  \| )"
echo "vm-$arch: VM ran $(( $(date +%s) - boot )) s" >&2

passed=$(grep -c "^vm-check: PASS" "$console")
failed=$(grep -c "^vm-check: FAIL" "$console")
if ! grep -q "^vm-guest: done" "$console"; then
  echo "vm-$arch: the guest did not finish (see $console)" >&2
  failed=$((failed + 1))
fi
[ "$passed" -gt 0 ] || failed=$((failed + 1))
summary "$passed" "$failed"
[ "$failed" -eq 0 ]
