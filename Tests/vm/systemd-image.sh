#!/usr/bin/env bash
# Builds (once, then cached) the systemd test VM's disk: a Debian 12 root filesystem from
# Debian's packages, with systemd as init, apt, udev and the device VM's kernel modules
# (vivid, snd-aloop, configfs, 9p, the out-of-tree gpio-sim), plus the small initramfs
# that mounts it.
#
#   Tests/vm/systemd-image.sh ARCH KERNEL_ROOT GPIO_SIM_KO   ARCH = x86_64|aarch64
#
# Prints two lines: the image path and the initramfs path. Both are keyed by a hash of what
# goes into them (package list, kernel, gpio-sim, these scripts), so a change rebuilds them.
# This machine cannot run arm64 programs, so the packages are only unpacked here
# (mmdebstrap --variant=extract) and installed with dpkg inside the VM on its first boot
# (Tests/vm/systemd-firstboot.sh): minutes under TCG, once. amd64 takes the same route.
set -euo pipefail
arch=$1 root=$2 gpio_sim=$3
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm_cache=${PERCH_CACHE:-$repo/.cache}/vm
. "$repo/Tests/vm/debian.sh"
kver=$(cat "$root/.kver")
case "$arch" in
  x86_64) debarch=amd64 ;;
  aarch64) debarch=arm64 ;;
  *) echo "usage: Tests/vm/systemd-image.sh x86_64|aarch64 KERNEL_ROOT GPIO_SIM_KO" >&2; exit 2 ;;
esac
log() { echo "vm-systemd-$arch: $*" >&2; }

# Essential packages, systemd as init, apt (the test installs the .deb with it), udev
# (device permissions, the package's gpio rule), kmod (modprobe) and procps (pgrep, ps).
# usr-is-merged: mmdebstrap's merged-usr setup hook makes /bin, /sbin and /lib links into
# /usr before anything is unpacked (usr-is-merged's preinst checks that); without it apt
# picks usrmerge for init-system-helpers, which pulls in perl and whose postinst alone took
# 348 of the 2,430 s of the first boot (load 25).
# The .deb's own dependencies are not here: the test serves them from a local repository
# so that apt has to resolve them from its Depends.
packages=(apt systemd systemd-sysv udev kmod procps usr-is-merged)
# Modules in the root filesystem (with their dependencies), loaded by the test as on a board.
root_modules=(vivid snd-aloop configfs 9p 9pnet_virtio)
# Modules the initramfs needs to reach the root image.
boot_modules=(virtio_pci virtio_mmio virtio_blk crc32c_generic ext4)  # ext4 needs crc32c (a soft dependency)

key=$( { echo "${packages[*]} ${root_modules[*]} ${boot_modules[*]} $kver"; sha256sum "$gpio_sim";
         cat "$0" "$repo/Tests/vm/systemd-firstboot.sh"; } | sha256sum | cut -c1-12)
image=$vm_cache/systemd-$debarch-$key.img
initrd=$vm_cache/systemd-$debarch-$key.initrd.gz
if [ -f "$image" ] && [ -f "$initrd" ]; then echo "$image"; echo "$initrd"; exit 0; fi
started=$(date +%s)

# --- the initramfs: busybox, the boot modules, an /init that mounts /dev/vda and hands over.
case "$arch" in
  x86_64) busybox=/bin/busybox ;;
  aarch64)
    if [ ! -x "$vm_cache/busybox-arm64/bin/busybox" ]; then
      debian_download arm64 "$vm_cache/debs/arm64" busybox-static
      dpkg-deb -x "$(ls "$vm_cache"/debs/arm64/busybox-static_*.deb | head -1)" "$vm_cache/busybox-arm64"
    fi
    busybox=$vm_cache/busybox-arm64/bin/busybox ;;
esac
copy_modules() {  # copy_modules TREE MODULE...: the modules and their dependencies, then depmod
  local tree=$1; shift
  depmod -b "$root" "$kver"
  modprobe -d "$root" -S "$kver" --show-depends -a "$@" | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
    rel=${ko#"$root"/}
    mkdir -p "$tree/$(dirname "$rel")"
    cp "$ko" "$tree/$rel"
  done
  mkdir -p "$tree/lib/modules/$kver"
  cp "$root/lib/modules/$kver"/modules.{builtin,builtin.modinfo,order} "$tree/lib/modules/$kver/"
}
tree=$vm_cache/systemd-initrd-$debarch
rm -rf "$tree"; mkdir -p "$tree"/{bin,dev,proc,sys,newroot}
cp "$busybox" "$tree/bin/busybox"
ln -s busybox "$tree/bin/sh"
copy_modules "$tree" "${boot_modules[@]}"
depmod -b "$tree" "$kver"
cat > "$tree/init" <<INIT
#!/bin/sh
# Loads the virtio and ext4 modules, mounts the root image and starts its init
# (perch.init= on the kernel command line; systemd by default).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
modprobe -a ${boot_modules[*]}
i=0
while [ ! -b /dev/vda ] && [ \$i -lt 100 ]; do usleep 100000; i=\$((i + 1)); done
mount -t ext4 -o rw /dev/vda /newroot || { echo "vm-boot: cannot mount /dev/vda"; poweroff -f; }
init=\$(sed -n 's/.*perch\.init=\([^ ]*\).*/\1/p' /proc/cmdline)
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot "\${init:-/lib/systemd/systemd}"
INIT
chmod 755 "$tree/init"
(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"

# --- the root filesystem: packages unpacked, modules, first-boot script, test unit.
rootfs=$vm_cache/systemd-rootfs-$debarch
rm -rf "$rootfs"
log "unpacking Debian bookworm $debarch (mmdebstrap --variant=extract)"
mmdebstrap --quiet --mode=root --variant=extract --architectures="$debarch" \
  --setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh \
  --include='?essential' --include="$(IFS=,; echo "${packages[*]}")" --skip=cleanup/apt/cache \
  bookworm "$rootfs" "${PERCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
ls "$rootfs"/var/cache/apt/archives/*.deb > /dev/null || { log "mmdebstrap kept no packages"; exit 1; }
log "unpacked $(ls "$rootfs"/var/cache/apt/archives/*.deb | wc -l) packages ($(du -cm "$rootfs"/var/cache/apt/archives/*.deb | tail -1 | cut -f1) MB) in $(( $(date +%s) - started )) s"
# dpkg in the VM (first boot, and the test's apt) skips what the checks never read, and does
# not fsync each file (a throw-away VM; QEMU runs its disk with cache=unsafe as well). The
# copies mmdebstrap extracted go too, with the apt lists (the test uses its own repository).
mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
cat > "$rootfs/etc/dpkg/dpkg.cfg.d/perch-vm" <<'DPKG'
force-unsafe-io
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/perch/*
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-exclude=/usr/share/lintian/*
DPKG
rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian}
find "$rootfs/var/lib/apt/lists" -maxdepth 1 -type f ! -name lock -delete
copy_modules "$rootfs" "${root_modules[@]}"
mkdir -p "$rootfs/lib/modules/$kver/extra"
cp "$gpio_sim" "$rootfs/lib/modules/$kver/extra/"
depmod -b "$rootfs" "$kver"
install -m 755 "$repo/Tests/vm/systemd-firstboot.sh" "$rootfs/perch-firstboot"
echo perch-vm > "$rootfs/etc/hostname"
printf '/dev/vda / ext4 rw 0 1\nhost0 /mnt/host 9p trans=virtio,version=9p2000.L,nofail 0 0\n' > "$rootfs/etc/fstab"
mkdir -p "$rootfs/mnt/host" "$rootfs/etc/systemd/system"
# The test runs as a unit once the system is up; its script comes from the share each run.
cat > "$rootfs/etc/systemd/system/perch-vmtest.service" <<'UNIT'
[Unit]
Description=Perch systemd VM test (Tests/vm/guest-systemd.sh from the host share)
After=multi-user.target
RequiresMountsFor=/mnt/host

[Service]
# exec, not oneshot: the boot finishes without waiting for the checks, so that they can
# report systemd-analyze time.
Type=exec
ExecStart=/bin/sh /mnt/host/guest-systemd.sh
StandardOutput=tty
StandardError=tty
TTYPath=/dev/console

[Install]
WantedBy=default.target
UNIT
: > "$rootfs/etc/machine-id"

size=$(( $(du -sm "$rootfs" | cut -f1) * 2 + 512 ))
rm -f "$image.tmp"
mke2fs -q -t ext4 -L perch-root -d "$rootfs" "$image.tmp" "${size}M" >&2   # stdout is the two paths
rm -rf "$rootfs"

# --- first boot: dpkg installs what was unpacked; the disk keeps the result.
share=$vm_cache/systemd-share-$arch
mkdir -p "$share"
console=$vm_cache/systemd-firstboot-$arch.log
log "first boot: dpkg installs the unpacked packages inside the VM (once; minutes under TCG)"
SNAPSHOT=0 "$repo/Tests/vm/systemd-boot.sh" "$arch" "$root" "$initrd.tmp" "$image.tmp" "$share" "$console" \
  "${PERCH_VM_FIRSTBOOT_TIMEOUT:-3600}" perch.init=/perch-firstboot || true
grep "^vm-firstboot:" "$console" >&2 || true
grep -q "^vm-firstboot: done" "$console" || { log "first boot did not finish (see $console)"; exit 1; }
mv "$image.tmp" "$image"
mv "$initrd.tmp" "$initrd"
log "image ready in $(( $(date +%s) - started )) s: $image"
echo "$image"
echo "$initrd"
