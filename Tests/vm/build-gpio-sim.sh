#!/usr/bin/env bash
# Builds gpio-sim out of tree for a Debian kernel unpacked by fetch-kernel.sh. No Debian
# kernel enables CONFIG_GPIO_SIM or CONFIG_IRQ_SIM, so both are built into one module
# from the matching linux-source. irq_to_desc is not exported to modules: the one call
# that uses it becomes generic_handle_irq, which does the same for a simple irq.
#
#   Tests/vm/build-gpio-sim.sh KERNEL_ROOT ARCH     ARCH = amd64|arm64; prints the .ko path
set -euo pipefail
root=$1 arch=$2
kver=$(cat "$root/.kver")
out=$root/gpio-sim
exec 9> "$root/.gpio-sim.lock"   # one build at a time (see fetch-kernel.sh)
flock 9
if [ -f "$out/gpio-sim.ko" ]; then echo "$out/gpio-sim.ko"; exit 0; fi

rm -rf "$out"; mkdir -p "$out"
cp "$root/src/drivers/gpio/gpio-sim.c" "$out/gpio-sim-main.c"
cp "$root/src/drivers/gpio/gpiolib.h" "$out/"
sed 's/handle_simple_irq(irq_to_desc(irqnum))/generic_handle_irq(irqnum)/' \
  "$root/src/kernel/irq/irq_sim.c" > "$out/irq_sim.c"
grep -q 'generic_handle_irq(irqnum)' "$out/irq_sim.c" || { echo "vm: irq_sim.c patch did not apply" >&2; exit 1; }
cat > "$out/Makefile" <<'MAKE'
obj-m := gpio-sim.o
gpio-sim-y := gpio-sim-main.o irq_sim.o
MAKE

make_args=(-C "$root/usr/src/linux-headers-$kver" "M=$out" modules)
[ "$arch" = arm64 ] && make_args+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
make "${make_args[@]}" > "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
echo "$out/gpio-sim.ko"
