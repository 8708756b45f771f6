#!/bin/sh
# First boot of the systemd test VM's root image, as PID 1 before systemd: the packages
# mmdebstrap only unpacked on the host (which cannot run arm64 programs) are installed with
# dpkg here, as mmdebstrap does in a chroot: all at once with --force-depends, then
# configured. Then the image is made to look booted once (machine ID, /etc/.updated), the
# test unit is enabled and the VM powers off; the host keeps the disk.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
log=/var/log/perch-firstboot.log
started=$(date +%s)
# udev's postinst builds the hardware database (systemd-hwdb update: 142 s of the old
# 2,430 s first boot). No check reads it (device names and groups come from the rules), so
# the postinst finds a systemd-hwdb that does nothing; the boot-time update is skipped below.
mkdir -p /run/perch-noop
printf '#!/bin/sh\nexit 0\n' > /run/perch-noop/systemd-hwdb
chmod 755 /run/perch-noop/systemd-hwdb
# No service starts from maintainer scripts here (udev's postinst would start udevd from its
# init script, which then kept / busy at the remount below): policy-rc.d says "not now".
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
echo "vm-firstboot: installing $(ls /var/cache/apt/archives/*.deb | wc -l) packages with dpkg"
PATH=/run/perch-noop:$PATH dpkg --install --force-depends /var/cache/apt/archives/*.deb > $log 2>&1
unpacked=$(date +%s)
PATH=/run/perch-noop:$PATH dpkg --configure -a >> $log 2>&1
echo "vm-firstboot: unpacked in $((unpacked - started)) s, configured in $(( $(date +%s) - unpacked )) s"
left=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | grep -v '^ii ')
# A package whose preinst failed is not in the database at all: dpkg's log names it.
left="$left$(grep '^dpkg: error processing' $log)"
if [ -n "$left" ]; then
  echo "vm-firstboot: not installed: $left"
  tail -40 $log | sed 's/^/  | /'
  echo 1 > /proc/sys/kernel/sysrq; echo o > /proc/sysrq-trigger; sleep 60
fi
rm -f /var/cache/apt/archives/*.deb /usr/sbin/policy-rc.d
# Each test boot starts from this disk (QEMU -snapshot). Without a machine ID every boot would
# be systemd's first (preset-all), and without /etc/.updated and /var/.updated the
# ConditionNeedsUpdate= units (ldconfig, hwdb, journal catalog, sysusers) would run each time.
systemd-machine-id-setup > /dev/null 2>&1
touch /etc/.updated /var/.updated
# No login prompt on the serial console: the test's output goes there. No timers that
# start apt or dpkg jobs while the test uses apt.
systemctl mask serial-getty@.service getty@.service systemd-hwdb-update.service \
  apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer fstrim.timer > /dev/null 2>&1
systemctl enable perch-vmtest.service >> $log 2>&1
echo "vm-firstboot: $(dpkg-query -W | wc -l) packages installed in $(( $(date +%s) - started )) s; $(systemctl --version | head -1)"
echo "vm-firstboot: done"
sync
umount /dev/pts /run /tmp 2> /dev/null
echo 1 > /proc/sys/kernel/sysrq
# Something of the configured packages can keep / busy for writing; then the kernel's
# emergency remount makes it read-only (synced above either way).
mount -o remount,ro / 2> /dev/null || { echo u > /proc/sysrq-trigger; sleep 2; }
echo o > /proc/sysrq-trigger
sleep 60   # PID 1 must not exit before the power-off (the kernel would panic)
