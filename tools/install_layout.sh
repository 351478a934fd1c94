#!/usr/bin/env bash
# install_layout.sh PREFIX SRC BIN: copies built ksym files into PREFIX.
# SRC is the source tree, BIN holds the Bazel outputs in the same layout
# (bazel-bin, or a test's runfiles, where both are one directory).
#   PREFIX/bin/ksym
#   PREFIX/include/ksym/ksym.h
#   PREFIX/lib/libksym.so.0.1, libksym.so.0 -> , libksym.so -> ; libksym.a
#   PREFIX/lib/pkgconfig/ksym.pc
#   PREFIX/lib/python3/dist-packages/ksym/{__init__.py,fleet.py,_ksym.so}
set -euo pipefail
prefix=$1 src=$2 bin=$3
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
install -d "$prefix/bin" "$prefix/include/ksym" "$prefix/lib/pkgconfig" \
  "$prefix/lib/python3/dist-packages/ksym"
install -m 0755 "$bin/tools/ksym" "$prefix/bin/ksym"
install -m 0644 "$src/include/ksym/ksym.h" "$prefix/include/ksym/ksym.h"
install -m 0755 "$bin/capi/libksym.so" "$prefix/lib/libksym.so.0.1"
ln -sf libksym.so.0.1 "$prefix/lib/libksym.so.0"
ln -sf libksym.so.0 "$prefix/lib/libksym.so"
install -m 0644 "$bin/capi/libksym.a" "$prefix/lib/libksym.a"
sed "s|@PREFIX@|$prefix|" "$src/capi/ksym.pc.in" > "$prefix/lib/pkgconfig/ksym.pc"
install -m 0644 "$src/python/ksym/__init__.py" \
  "$prefix/lib/python3/dist-packages/ksym/__init__.py"
install -m 0644 "$src/python/ksym/fleet.py" \
  "$prefix/lib/python3/dist-packages/ksym/fleet.py"
install -m 0755 "$bin/python/_ksym.so" \
  "$prefix/lib/python3/dist-packages/ksym/_ksym.so"
