#!/usr/bin/env bash
# tools/ksym_perf.py on real `perf record -g` data of this machine: every
# kernel frame it prints must be what `ksym lookup` prints for that address
# on an index of the running kernel (/proc/kallsyms, real addresses: needs
# root or kernel.kptr_restrict=0, and perf_event_paranoid allowing -g).
set -uo pipefail
ksym="$1" ext="$2" init="$3" handler="$4"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail=0
# perf keeps its build-id cache under $HOME (and, preloaded with ASan,
# crashes without one): a private one.
export HOME="$tmp/home"
mkdir -p "$HOME"
mkdir -p "$tmp/py/ksym"
cp "$init" "$tmp/py/ksym/__init__.py"
cp "$ext" "$tmp/py/ksym/_ksym.so"
preload=
if nm -D "$ext" | grep ' U __asan_init' >/dev/null; then  # --config=asan
  preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi

"$ksym" build -q --kallsyms /proc/kallsyms -o "$tmp/k.ksym" || { echo "FAIL: build"; exit 1; }
if ! awk '$1 != "0000000000000000" {found=1; exit} END {exit !found}' /proc/kallsyms; then
  echo "FAIL: /proc/kallsyms hides addresses: run as root or set kernel.kptr_restrict=0"
  exit 1
fi
perf record -q -g -o "$tmp/perf.data" -- \
  dd if=/dev/zero of=/dev/null bs=4k count=200000 2>"$tmp/record.err" \
  || { echo "FAIL: perf record"; cat "$tmp/record.err"; exit 1; }
LD_PRELOAD="$preload" KSYM_INDEX="$tmp/k.ksym" PYTHONPATH="$tmp/py" \
  perf script -i "$tmp/perf.data" -s "$handler" > "$tmp/out" 2>"$tmp/script.err" \
  || { echo "FAIL: perf script"; cat "$tmp/script.err"; exit 1; }

# "\tADDR TEXT ([kernel.kallsyms])" -> "ADDR TEXT" (kernel addresses have
# 16 digits, as ksym lookup prints them).
grep -P '^\t[0-9a-f]{16} .* \(\[kernel\.kallsyms\]\)$' "$tmp/out" \
  | sed -E 's/^\t([0-9a-f]+) (.*) \(\[kernel\.kallsyms\]\)$/\1 \2/' > "$tmp/got"
n=$(wc -l < "$tmp/got")
samples=$(grep -c ' cpu-clock\| cycles' "$tmp/out" || true)
[ "$n" -ge 20 ] || { echo "FAIL: only $n kernel frames in $samples samples"; head -20 "$tmp/out"; fail=1; }
cut -d' ' -f1 "$tmp/got" | "$ksym" lookup -i "$tmp/k.ksym" > "$tmp/want" 2>/dev/null
if cmp -s "$tmp/want" "$tmp/got"; then
  echo "ok: $n kernel frames of $samples samples, each as ksym lookup prints it"
else
  echo "FAIL: ksym_perf.py differs from ksym lookup"; diff "$tmp/want" "$tmp/got" | head; fail=1
fi
# An index of another kernel (another build-id) is refused, not used.
if [ -n "${KSYM_DEBIAN_KERNEL:-}" ]; then
  k=$KSYM_DEBIAN_KERNEL release=$(ls "$KSYM_DEBIAN_KERNEL/lib/modules")
  "$ksym" build -q --system-map "$k/usr/lib/debug/boot/System.map-$release" \
    --vmlinux "$k/usr/lib/debug/boot/vmlinux-$release" -o "$tmp/other.ksym" \
    || { echo "FAIL: build of the Debian index"; fail=1; }
  LD_PRELOAD="$preload" KSYM_INDEX="$tmp/other.ksym" PYTHONPATH="$tmp/py" \
    perf script -i "$tmp/perf.data" -s "$handler" > "$tmp/other.out" 2>"$tmp/other.err"
  if grep -q "was recorded on kernel build-id" "$tmp/other.err" && \
     ! grep -q '\[kernel.kallsyms\]' "$tmp/other.out"; then
    echo "ok: an index of another kernel is refused"
  else
    echo "FAIL: an index of another kernel was not refused"; head -5 "$tmp/other.err"; fail=1
  fi
fi
grep -q "kernel build-id not checked" "$tmp/script.err" && { echo "FAIL: build-id not checked: $(cat "$tmp/script.err")"; fail=1; }
grep -q '?? (' "$tmp/got" && echo "note: some kernel frames have no symbol: $(grep -c '?? (' "$tmp/got")"
exit $fail
