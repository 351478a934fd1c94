#!/usr/bin/env bash
# tools/install.sh PREFIX: builds ksym and installs it into PREFIX (any
# directory you can write; no root needed once the Debian packages are
# there): the CLI, the C API (header, libksym.so, libksym.a, ksym.pc) and
# the Python package. Afterwards:
#   PKG_CONFIG_PATH=PREFIX/lib/pkgconfig gcc prog.c $(pkg-config --cflags --libs ksym)
#   LD_LIBRARY_PATH=PREFIX/lib ./a.out     (unless PREFIX/lib is a system path)
#   PYTHONPATH=PREFIX/lib/python3/dist-packages python3 -c 'import ksym'
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tools/install.sh PREFIX" >&2; exit 2; }
cd "$(dirname "$0")/.."
tools/install-deps.sh
bazel build //tools:ksym //capi:libksym.so //capi:libksym_a //python:_ksym.so
tools/install_layout.sh "$1" . "$(bazel info bazel-bin 2>/dev/null)"
echo "ksym: installed into $1"
