#!/usr/bin/env bash
# libksym.so exports the C API and nothing else, under its SONAME.
set -uo pipefail
so="$1"
fail=0
syms=$(nm -D --defined-only "$so" | awk '{sub(/@.*/, "", $3); print $3}' | grep -v '^KSYM_0$')
bad=$(echo "$syms" | grep -v '^ksym_' || true)
[ -z "$bad" ] || { echo "FAIL: exported non-ksym symbols:"; echo "$bad" | head; fail=1; }
for f in ksym_open ksym_close ksym_lookup ksym_format_frame ksym_resolve_address ksym_build \
         ksym_lookup_location ksym_format_location; do
  grep -qx "$f" <<< "$syms" || { echo "FAIL: $f not exported"; fail=1; }
done
soname=$(objdump -p "$so" | awk '$1=="SONAME" {print $2}')
[ "$soname" = "libksym.so.0" ] || { echo "FAIL: SONAME '$soname'"; fail=1; }
[ $fail = 0 ] && echo "ok: $(echo "$syms" | wc -l) ksym_* symbols, SONAME $soname"
exit $fail
