#!/usr/bin/env bash
# Runs fleet_dask_test.py with the built `ksym` Python package
# (ksym/__init__.py, ksym/fleet.py, _ksym.so) on Debian's Python, which has
# python3-dask, python3-distributed and python3-pandas (tools/install-deps.sh).
#   fleet_dask_test.sh KSYM _KSYM_SO INIT_PY FLEET_PY TEST_PY [ARGS...]
set -euo pipefail
ksym=$1 so=$2 init=$3 fleet=$4 test=$5
shift 5
pkg=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fleetpkg.XXXXXX")
trap 'rm -rf "$pkg"' EXIT
mkdir "$pkg/ksym"
cp "$init" "$pkg/ksym/__init__.py"
cp "$fleet" "$pkg/ksym/fleet.py"
cp "$so" "$pkg/ksym/_ksym.so"
PYTHONPATH="$pkg" /usr/bin/python3 "$test" "$(realpath "$ksym")" "$@"
