#!/usr/bin/env bash
# Boots the systemd test VM: the Debian kernel of the device VM, a small initramfs that
# mounts the ext4 root image, and a folder shared over 9p (mount tag host0). Writes the
# serial console to LOG. With SNAPSHOT=1 (the default) the image is not changed: QEMU keeps
# the writes in a temporary file. cache=unsafe: the guest's flushes (dpkg, journald) do not
# reach the host's disk; a VM that dies leaves no image behind (systemd-image.sh renames it
# only after a clean first boot).
# timeout --foreground keeps QEMU in the caller's process group, so that a timeout around
# the whole test (tools/test.sh) ends QEMU as well.
#
#   Tests/vm/systemd-boot.sh ARCH KERNEL_ROOT INITRD IMAGE SHARE LOG TIMEOUT [KERNEL ARGS...]
set -uo pipefail
arch=$1 root=$2 initrd=$3 image=$4 share=$5 log=$6 limit=$7
shift 7
kver=$(cat "$root/.kver")
case "$arch" in
  x86_64)
    # The uncompressed kernel boots directly (PVH) and saves ~6 s of unpacking under TCG
    # (the same file Tests/vm/run.sh makes).
    kernel=$root/vmlinux
    if [ ! -f "$kernel" ]; then
      vmlinuz=$root/boot/vmlinuz-$kver
      offset=$(grep -abo $'\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
      tail -c +$((offset + 1)) "$vmlinuz" | xz -dc > "$kernel.tmp" 2> /dev/null
      [ -s "$kernel.tmp" ] || { echo "vm: could not unpack $vmlinuz" >&2; exit 1; }
      mv "$kernel.tmp" "$kernel"
    fi
    qemu=(qemu-system-x86_64 -M q35 -kernel "$kernel") console=ttyS0 ;;
  aarch64)
    qemu=(qemu-system-aarch64 -M virt -cpu cortex-a72 -kernel "$root/boot/vmlinuz-$kver") console=ttyAMA0 ;;
  *) echo "usage: Tests/vm/systemd-boot.sh aarch64|x86_64 ..." >&2; exit 2 ;;
esac
snapshot=()
[ "${SNAPSHOT:-1}" = 1 ] && snapshot=(-snapshot)
timeout --foreground "$limit" "${qemu[@]}" -accel tcg -smp 1 -m 1024 -nographic -no-reboot "${snapshot[@]}" \
  -initrd "$initrd" -drive "file=$image,if=virtio,format=raw,cache=unsafe" \
  -virtfs "local,path=$share,mount_tag=host0,security_model=none" \
  -append "console=$console root=/dev/vda rw panic=-1 quiet $*" \
  < /dev/null 2>&1 | stdbuf -oL tr -d '\r' > "$log"   # line-buffered: the caller follows the log
