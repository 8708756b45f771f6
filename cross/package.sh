#!/usr/bin/env bash
# Builds the Debian package of the embedded release build.
#
#   cross/package.sh aarch64|x86_64      -> .build-ARCH/perch_VERSION_DEBARCH.deb
#
# Runs cross/build.sh ARCH first (PERCH_PACKAGE_SKIP_BUILD=1 takes the build as it is).
# The version is PerchVersion.string (Sources/PerchCommandLine/Version.swift), which perchd
# --version prints; Depends comes from the binaries' NEEDED libraries through
# dpkg-shlibdeps, against the arm64 sysroot's packages for aarch64 and this machine's
# for x86_64. Every unit and drop-in in systemd/ is shipped as it is. lintian must report
# no errors (warnings are printed; one that is kept gets an override with its reason in
# cross/debian/lintian-overrides).
# The last line is the package's path.
set -euo pipefail

arch=${1:-}
case "$arch" in
  aarch64) debarch=arm64 ;;
  x86_64) debarch=amd64 ;;
  *) echo "usage: cross/package.sh aarch64|x86_64" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${PERCH_CACHE:-$repo/.cache}
out=$repo/.build-$arch/release
die() { echo "package: $*" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps lintian; do
  command -v "$tool" > /dev/null || die "$tool is missing: run tools/install-deps.sh"
done

if [ "${PERCH_PACKAGE_SKIP_BUILD:-0}" != 1 ]; then
  "$repo/cross/build.sh" "$arch" >&2 || die "cross/build.sh $arch failed"
fi
for program in perchd perch; do
  [ -x "$out/$program" ] || die "$out/$program is missing: run cross/build.sh $arch"
done

# The version: one place, checked against what the built binary says when it can run here.
version=$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' "$repo/Sources/PerchCommandLine/Version.swift")
[ -n "$version" ] || die "no version in Sources/PerchCommandLine/Version.swift"
runner=()
[ "$arch" = aarch64 ] && runner=("$repo/cross/run.sh")
if [ "$arch" = x86_64 ] || command -v qemu-aarch64-static > /dev/null; then
  # Standard output only (cross/run.sh says on stderr whether the sysroot is up to date);
  # the first line, without a pipe into head (a SIGPIPE would end the script).
  said=$("${runner[@]}" "$out/perchd" --version 2>/dev/null)
  said=${said%%$'\n'*}
  [ "$said" = "perchd $version ($arch, embedded)" ] ||
    die "$out/perchd --version says \"$said\", Version.swift says $version: rebuild"
fi

stage=$repo/.build-$arch/deb/perch_${version}_$debarch
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/usr/share/doc/perch" "$stage/etc/perch" \
  "$stage/usr/share/perch/models/perch-av" "$stage/usr/share/perch/config"
install -m 755 "$out/perchd" "$out/perch" "$stage/usr/bin/"

# The default model, and what `perchd --demo` reads from /usr/share/perch.
install -m 644 "$repo"/models/perch-av/{model.tflite,labels.txt,metadata.json} "$stage/usr/share/perch/models/perch-av/"
cp -r "$repo/models/perch-av/demo" "$stage/usr/share/perch/models/perch-av/"
install -m 644 "$repo/config/demo.conf" "$stage/usr/share/perch/config/"
install -m 644 "$repo/config/package.conf" "$stage/etc/perch/perchd.conf"

# systemd/: units to /usr/lib/systemd/system, drop-ins to /usr/share/perch/systemd, *.sysusers to sysusers.d,
# *.rules to udev. Anything else is refused, so nothing is left out unnoticed.
units=() start_units=()
for file in "$repo"/systemd/*; do
  name=$(basename "$file")
  case "$name" in
    *.service|*.socket|*.target|*.timer|*.path)
      install -D -m 644 "$file" "$stage/usr/lib/systemd/system/$name"
      # Units with an [Install] section are enabled and started by postinst; perchd.service
      # goes after its socket so the socket exists when the daemon starts.
      if grep -q '^\[Install\]' "$file"; then units+=("$name"); fi ;;
    *.d)
      # Drop-ins are opt-in (web.conf and mqtt.conf open TCP): shipped as examples, never
      # active by default; the docs say to copy one to /etc/systemd/system/perchd.service.d/.
      [ -d "$file" ] || die "systemd/$name is not a drop-in directory"
      for dropin in "$file"/*.conf; do
        [ -e "$dropin" ] && install -D -m 644 "$dropin" "$stage/usr/share/perch/systemd/$name/$(basename "$dropin")"
      done ;;
    *.sysusers) install -D -m 644 "$file" "$stage/usr/lib/sysusers.d/${name%.sysusers}.conf" ;;
    *.rules) install -D -m 644 "$file" "$stage/usr/lib/udev/rules.d/$name" ;;
    *.md) ;;
    *) die "systemd/$name: not a unit, drop-in, sysusers file or udev rule: say where it goes in cross/package.sh" ;;
  esac
done
for unit in "${units[@]}"; do [ "${unit%.socket}" != "$unit" ] && start_units+=("$unit"); done
for unit in "${units[@]}"; do [ "${unit%.socket}" = "$unit" ] && start_units+=("$unit"); done

# Documentation: the changelog is generated here so the version stays in one place.
install -m 644 "$repo/cross/debian/copyright" "$stage/usr/share/doc/perch/copyright"
# README.md stays uncompressed: perchd.service's Documentation= and perchd.conf name it.
install -m 644 "$repo/README.md" "$repo/docs/configuration.md" "$stage/usr/share/doc/perch/"
commit=$(git -C "$repo" rev-parse --short HEAD 2> /dev/null || echo unknown)
when=$(git -C "$repo" log -1 --format=%aD 2> /dev/null || date -R)
printf 'perch (%s) bookworm; urgency=medium\n\n  * Perch %s, built from commit %s.\n\n -- %s  %s\n' \
  "$version" "$version" "$commit" "$(sed -n 's/^Maintainer: //p' "$repo/cross/debian/control.in")" "$when" \
  | gzip -9n > "$stage/usr/share/doc/perch/changelog.gz"

# A warning lintian should not report again goes into cross/debian/lintian-overrides, with its reason.
if [ -f "$repo/cross/debian/lintian-overrides" ]; then
  install -D -m 644 "$repo/cross/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/perch"
fi

# Depends from NEEDED: dpkg-shlibdeps reads the libraries' symbols files. For aarch64 the
# sysroot's packages are unpacked with their control files as "package build trees" (-S),
# so the arm64 libraries and their symbols files are found without an arm64 dpkg database.
work=$repo/.build-$arch/deb/shlibdeps
rm -rf "$work"; mkdir -p "$work/debian"
printf 'Source: perch\n\nPackage: perch\nArchitecture: any\n' > "$work/debian/control"
search=()
if [ "$arch" = aarch64 ]; then
  debs=$cache/apt-arm64/debs
  [ -d "$debs" ] || die "$debs is missing: run cross/sysroot.sh arm64"
  for deb in "$debs"/*.deb; do
    tree=$work/trees/$(basename "$deb" .deb)
    mkdir -p "$work/trees"
    dpkg-deb -R "$deb" "$tree"
    search+=("-S$tree")
  done
  export DEB_HOST_ARCH=arm64 DEB_HOST_MULTIARCH=aarch64-linux-gnu DEB_HOST_GNU_TYPE=aarch64-linux-gnu
fi
depends=$(cd "$work" && dpkg-shlibdeps -O "${search[@]}" "$stage/usr/bin/perchd" "$stage/usr/bin/perch" 2> "$work/warnings" \
  | sed -n 's/^shlibs:Depends=//p') || { cat "$work/warnings" >&2; die "dpkg-shlibdeps failed"; }
[ -n "$depends" ] || { cat "$work/warnings" >&2; die "dpkg-shlibdeps found no libraries"; }
if [ -s "$work/warnings" ]; then sed 's/^/package: /' "$work/warnings" >&2; fi
# An independent check: every NEEDED library must belong to a package that Depends names.
needed=$(readelf -d "$stage/usr/bin/perchd" "$stage/usr/bin/perch" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort -u)
for soname in $needed; do
  if [ "$arch" = aarch64 ]; then
    owner=$(for t in "$work"/trees/*; do
              if [ -n "$(find "$t" -name "$soname" -print -quit)" ]; then basename "$t" | cut -d_ -f1; fi
            done | head -1)
  else
    owner=$(dpkg -S "*/$soname" 2> /dev/null | head -1 | cut -d: -f1)
  fi
  [ -n "$owner" ] || die "no package provides $soname"
  echo ", $depends," | grep -q "[ ,|]$owner[ ,(]" || die "$soname comes from $owner, which Depends ($depends) does not name"
done
# systemd-sysusers and deb-systemd-helper run in the maintainer scripts.
depends="$depends, systemd"

size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$debarch|" -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" \
  "$repo/cross/debian/control.in" > "$stage/DEBIAN/control"
for script in postinst prerm postrm; do
  sed -e "s|@UNITS@|${units[*]}|" -e "s|@START_UNITS@|${start_units[*]}|" "$repo/cross/debian/$script" > "$stage/DEBIAN/$script"
  chmod 755 "$stage/DEBIAN/$script"
done
echo /etc/perch/perchd.conf > "$stage/DEBIAN/conffiles"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs md5sum) > "$stage/DEBIAN/md5sums"

deb=$repo/.build-$arch/perch_${version}_$debarch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" > /dev/null
echo "package: $(basename "$deb"): $(stat -c %s "$deb") bytes, Depends: $depends" >&2

# lintian: errors fail the build; warnings are listed (kept ones are overridden, with reasons).
lintian_status=0
lintian_out=$(lintian --fail-on error --display-info "$deb" 2>&1) || lintian_status=$?
echo "$lintian_out" | sed 's/^/lintian: /' >&2
echo "lintian: $(echo "$lintian_out" | grep -c '^E:') errors, $(echo "$lintian_out" | grep -c '^W:') warnings, $(echo "$lintian_out" | grep -c '^I:') info" >&2
[ "$lintian_status" -eq 0 ] || die "lintian reported errors"
echo "$deb"
