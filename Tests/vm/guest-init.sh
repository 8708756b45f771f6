#!/bin/sh
# /init of the device test VM: mounts, loads the virtual device drivers, creates a
# simulated GPIO chip, runs the device tests, then the fault tests under a running perchd,
# then MQTT to a broker inside the guest, then an MJPEG-only camera (v4l2loopback), and powers off. Output goes to the serial console, which the host reads.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug
modprobe configfs && mount -t configfs configfs /sys/kernel/config
modprobe vivid || echo "vm-check: FAIL modprobe vivid"
modprobe snd-aloop || echo "vm-check: FAIL modprobe snd-aloop"
modprobe gpio-sim || echo "vm-check: FAIL modprobe gpio-sim"

G=/sys/kernel/config/gpio-sim/chip0
mkdir $G $G/bank0 && echo 8 > $G/bank0/num_lines && echo perch-sim > $G/bank0/label && echo 1 > $G/live
export GPIO_CHIP=$(cat $G/bank0/chip_name)
export GPIO_SIM=/sys/devices/platform/$(cat $G/dev_name)/$GPIO_CHIP
echo "vm-info: kernel $(uname -r) $(uname -m), gpio-sim chip $GPIO_CHIP"

# PERCH_VM_ONLY (from the kernel command line, set by run.sh): a comma-separated subset of
# tests,faults,mqtt,mjpeg to run; empty runs all.
for part in tests faults mqtt mjpeg; do
  case ",${PERCH_VM_ONLY:-$part}," in
    *",$part,"*) t0=$(date +%s); sh /guest-$part.sh; echo "vm-info: guest-$part.sh took $(( $(date +%s) - t0 )) s" ;;
    *) echo "vm-info: skipped guest-$part.sh (PERCH_VM_ONLY=$PERCH_VM_ONLY)" ;;
  esac
done
echo "vm-guest: done"
poweroff -f
