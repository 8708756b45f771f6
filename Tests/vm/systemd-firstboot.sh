#!/bin/sh
# First boot of the systemd test VM's root image, as PID 1 before systemd: the packages
# mmdebstrap only unpacked on the host (which cannot run arm64 programs) are installed with
# dpkg here, as mmdebstrap does in a chroot: all at once with --force-depends, then
# configured. Then the test unit is enabled and the VM powers off; the host keeps the disk.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
log=/var/log/perch-firstboot.log
started=$(date +%s)
echo "vm-firstboot: installing $(ls /var/cache/apt/archives/*.deb | wc -l) packages with dpkg"
dpkg --install --force-depends /var/cache/apt/archives/*.deb > $log 2>&1
dpkg --configure -a >> $log 2>&1
left=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' | grep -v '^ii ')
if [ -n "$left" ]; then
  echo "vm-firstboot: not installed: $left"
  tail -40 $log | sed 's/^/  | /'
  echo 1 > /proc/sys/kernel/sysrq; echo o > /proc/sysrq-trigger; sleep 60
fi
rm -f /var/cache/apt/archives/*.deb
# No login prompt on the serial console: the test's output goes there.
systemctl mask serial-getty@.service getty@.service > /dev/null 2>&1
systemctl enable perch-vmtest.service >> $log 2>&1
echo "vm-firstboot: $(dpkg-query -W | wc -l) packages installed in $(( $(date +%s) - started )) s; $(systemctl --version | head -1)"
echo "vm-firstboot: done"
sync
umount /dev/pts /run /tmp 2> /dev/null
mount -o remount,ro /
echo 1 > /proc/sys/kernel/sysrq
echo o > /proc/sysrq-trigger
