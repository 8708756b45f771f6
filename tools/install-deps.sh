#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Perch's build and tests need, when they are missing.
# Needs root (or sudo) only if something is missing.
#
#   tools/install-deps.sh
set -euo pipefail

packages=(
  libasound2-dev libgpiod-dev libv4l-dev   # headers and libraries of the devices Perch drives
  libmosquitto-dev                         # MQTT client library (PerchMQTT)
  mosquitto mosquitto-clients openssl      # tools/mqtt: a real broker, mosquitto_sub/pub, a test CA
  libturbojpeg0-dev                        # JPEG encoding (snapshots, MJPEG): libjpeg-turbo's TurboJPEG API
  libjpeg-turbo-progs                      # djpeg: tests decode JPEGs with an independent decoder
  qemu-user-static                         # runs the aarch64 build here
  # Tests/vm: device tests in QEMU against vivid, snd-aloop and gpio-sim
  qemu-system-x86 qemu-system-arm          # the test VMs (TCG)
  busybox-static cpio kmod xz-utils binutils # initramfs: userland, archive, depmod/modprobe, kernel unpacking, readelf
  gcc make gcc-aarch64-linux-gnu           # gpio-sim built out of tree for each kernel
  debian-archive-keyring                   # verifies the arm64 packages of the sysroot
  file curl ca-certificates
  python3                                  # tools/load: the load-test clients (stdlib only)
  chromium                                 # tools/view: the live view in a real (headless) browser
  util-linux                               # setpriv, mount: PerchDaemonTests run clients as other users, fill a tmpfs
  # cross/package.sh and Tests/vm/systemd.sh: the .deb and the systemd VM's Debian root image
  dpkg-dev lintian mmdebstrap e2fsprogs
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
