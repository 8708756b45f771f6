# Helpers the guest test scripts share (sourced). Each check prints
# "vm-check: PASS name" or "vm-check: FAIL name: why"; the host counts them.

pass() { echo "vm-check: PASS $1"; }
fail() { echo "vm-check: FAIL $1: $2"; }
check() {  # check NAME DETAIL COMMAND...
  name=$1 detail=$2; shift 2
  if "$@"; then pass "$name"; else fail "$name" "$detail"; fi
}
show() { sed "s/^/  | /" "$1"; }
# wait_for FILE PATTERN TENTHS: until a line matches, at most TENTHS/10 seconds.
wait_for() {
  i=0
  while [ $i -lt "$3" ]; do
    grep -q "$2" "$1" 2>/dev/null && return 0
    usleep 100000; i=$((i + 1))
  done
  return 1
}
