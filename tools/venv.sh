#!/usr/bin/env bash
# The Python environment of the tools' API checks and plots: .build-venv (not in git),
# created on first use; pip installs the named packages (a no-op, without network, when
# they are already there).
#   tools/venv.sh PACKAGE==VERSION...     prints the environment's python on stdout
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${PERCH_VENV:-$PWD/.build-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
[ $# -eq 0 ] || "$venv/bin/python" -m pip install -q --disable-pip-version-check "$@" >&2
echo "$venv/bin/python"
