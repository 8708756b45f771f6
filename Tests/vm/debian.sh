# Sourced by Tests/vm/*.sh: downloads Debian bookworm packages of any architecture into
# the cache with a private apt state, so the host's dpkg architectures and lists are
# never touched (the same approach as cross/sysroot.sh).
#
#   debian_apt ARCH TOOL ARGS...      apt-get/apt-cache with the private state for ARCH
#   debian_download ARCH DIR PKG...   .deb files into DIR (skips ones already there)
#   debian_kernel_abi ARCH            "6.1.0-NN-ARCH": the current kernel ABI for ARCH

debian_mirror=${PERCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
debian_security=${PERCH_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
debian_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

debian_apt_options() {  # debian_apt_options ARCH -> fills the array apt_options
  local arch=$1 dir=$vm_cache/apt-$1
  apt_options=(
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
    -o "Dir::Etc::SourceList=$dir/etc/sources.list" -o "Dir::Etc::SourceParts=$dir/etc/parts.d"
    -o "Dir::Etc::Preferences=$dir/etc/preferences" -o "Dir::Etc::PreferencesParts=$dir/etc/parts.d"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::State::status=$dir/status" -o "Dir::Cache=$dir/cache"
    -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
  )
}

debian_apt() {
  local arch=$1 tool=$2; shift 2
  local dir=$vm_cache/apt-$arch
  debian_apt_options "$arch"
  # Lists older than a day are refreshed: kernel ABIs move with security updates.
  if [ -z "$(find "$dir/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/etc/parts.d"
    : > "$dir/etc/preferences"
    : > "$dir/status"
    cat > "$dir/etc/sources.list" <<SOURCES
deb [arch=$arch signed-by=$debian_keyring] $debian_mirror bookworm main
deb [arch=$arch signed-by=$debian_keyring] $debian_mirror bookworm-updates main
deb [arch=$arch signed-by=$debian_keyring] $debian_security bookworm-security main
SOURCES
    echo "vm: fetching Debian bookworm $arch package lists" >&2
    apt-get "${apt_options[@]}" -qq update >&2 || return 1
  fi
  "$tool" "${apt_options[@]}" "$@"
}

debian_download() {
  local arch=$1 dir=$2; shift 2
  mkdir -p "$dir"
  local wanted=()
  for p in "$@"; do
    ls "$dir/${p%%=*}"_*.deb >/dev/null 2>&1 || wanted+=("$p")
  done
  [ ${#wanted[@]} -eq 0 ] && return 0
  echo "vm: downloading ${wanted[*]} ($arch)" >&2
  (cd "$dir" && debian_apt "$arch" apt-get -qq download "${wanted[@]}")
}

debian_kernel_abi() {
  debian_apt "$1" apt-cache depends "linux-image-$1" 2>/dev/null \
    | sed -n 's/.*Depends: linux-image-\(6[^ ]*\).*/\1/p' | head -1
}
