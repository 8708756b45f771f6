#!/usr/bin/env bash
# Builds the arm64 sysroot Perch links against: Debian 12 (bookworm) arm64 packages,
# unpacked into a cache folder. Uses its own apt state and sources, so the host's dpkg
# architectures and package lists are never changed.
#
#   cross/sysroot.sh [ARCH]        ARCH = arm64 (default) or amd64
#
# Result: $PERCH_CACHE/sysroot-ARCH (PERCH_CACHE defaults to .cache/ in the repository),
# rebuilt when the package list below changes.
set -euo pipefail

arch=${1:-arm64}
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
mirror=${PERCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${PERCH_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
sysroot=$cache/sysroot-$arch
apt_dir=$cache/apt-$arch

# Headers and libraries the daemon and its C libraries need at link and run time.
packages=(
  libc6 libc6-dev linux-libc-dev libgcc-12-dev libgcc-s1 libstdc++6
  libasound2 libasound2-dev libasound2-data
  libgpiod2 libgpiod-dev
  libv4l-0 libv4l-dev libv4lconvert0 libjpeg62-turbo libudev1
  libturbojpeg0 libturbojpeg0-dev
  libmosquitto1 libmosquitto-dev libssl3      # MQTT (libmosquitto needs libssl3 for TLS)
)

# .complete holds a hash of the package list: a sysroot made from another list is rebuilt.
stamp="packages $(printf '%s\n' "${packages[@]}" | sort | sha256sum | cut -c1-16)"
if [ -f "$sysroot/.complete" ] && [ "$(head -n1 "$sysroot/.complete")" = "$stamp" ]; then
  echo "sysroot: $sysroot is up to date"
  exit 0
fi

if [ ! -f "$keyring" ]; then
  echo "sysroot: installing debian-archive-keyring to verify Debian's packages" >&2
  apt-get install -y -qq debian-archive-keyring >/dev/null
fi

mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/parts.d"
cat > "$apt_dir/etc/sources.list" <<SOURCES
deb [arch=$arch signed-by=$keyring] $mirror bookworm main
deb [arch=$arch signed-by=$keyring] $mirror bookworm-updates main
deb [arch=$arch signed-by=$keyring] $security bookworm-security main
SOURCES
: > "$apt_dir/etc/preferences"

apt_options=(
  -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
  -o "Dir::Etc::SourceList=$apt_dir/etc/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/etc/parts.d"
  -o "Dir::Etc::Preferences=$apt_dir/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt_dir/etc/parts.d"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
)

echo "sysroot: fetching Debian bookworm $arch package lists" >&2
apt-get "${apt_options[@]}" -qq update

download=$apt_dir/debs
mkdir -p "$download"
echo "sysroot: downloading ${#packages[@]} packages" >&2
(cd "$download" && apt-get "${apt_options[@]}" -qq download "${packages[@]}")

rm -rf "$sysroot.tmp"
mkdir -p "$sysroot.tmp"
for deb in "$download"/*.deb; do
  dpkg-deb -x "$deb" "$sysroot.tmp"
done

# Debian's libc .so linker scripts name absolute paths (/lib/aarch64-linux-gnu/libc.so.6);
# lld resolves them inside --sysroot. Some -dev symlinks are absolute too: make them relative.
find "$sysroot.tmp" -type l | while read -r link; do
  target=$(readlink "$link")
  case "$target" in
    /*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$sysroot.tmp$target")" "$link" ;;
  esac
done

rm -rf "$sysroot"
mv "$sysroot.tmp" "$sysroot"
printf '%s\n%s\n' "$stamp" "$(date -u +%FT%TZ)" > "$sysroot/.complete"
echo "sysroot: ready at $sysroot" >&2
