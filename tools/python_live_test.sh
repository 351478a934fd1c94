#!/usr/bin/env bash
# Python's Index.lookup and Index.frame name the running kernel's live
# frames ([bpf], [__builtin__ftrace], ...) as `ksym lookup` does, on an
# index of this machine's /proc/kallsyms (real addresses: root or
# kernel.kptr_restrict=0) (symbolizer/api/live_pseudo_test: an index of
# another kernel never answers live).
# Passes with a SKIP line where kallsyms lists no pseudo-module line.
set -uo pipefail
ksym="$1" ext="$2" init="$3"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
mkdir -p "$tmp/py/ksym"
cp "$init" "$tmp/py/ksym/__init__.py"
cp "$ext" "$tmp/py/ksym/_ksym.so"
preload=
if nm -D "$ext" | grep ' U __asan_init' >/dev/null; then  # --config=asan
  preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
line=$(grep -P '^[0-9a-f]{16} \S \S+\t\[(bpf|__builtin__\w+)\]$' /proc/kallsyms \
  | grep -v '^0000000000000000' | head -1)
if [ -z "$line" ]; then
  echo "SKIP: no pseudo-module line with an address in /proc/kallsyms"
  exit 0
fi
addr=$(echo "$line" | cut -d' ' -f1)
"$ksym" build -q --kallsyms /proc/kallsyms -o "$tmp/k.ksym" || { echo "FAIL: build"; exit 1; }
want=$("$ksym" lookup -i "$tmp/k.ksym" "$addr" 2>/dev/null)
LD_PRELOAD="$preload" PYTHONPATH="$tmp/py" python3 - "$tmp" "$addr" "$want" <<'PY'
import sys, ksym
tmp, addr, want = sys.argv[1], int(sys.argv[2], 16), sys.argv[3]
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond
idx = ksym.Index(tmp + "/k.ksym")
s = idx.lookup(addr + 1)
check(s is not None and s.live, "lookup of a pseudo-module address is live")
if s is not None and s.live:
    check(s.offset == 1 and s.start == addr, "its start and offset")
    check(s.modules[0] in ("bpf",) or s.modules[0].startswith("__builtin__"),
          "its pseudo-module %s" % s.modules)
    check(str(s) == s.frame == idx.frame(addr + 1), "str, frame and Index.frame agree")
    check(s.source_lines == [] and s.location is None, "no source lines")
# lookup_many answers as lookup does: a live frame is no symbol of the
# index, said with REASON_LIVE and its offset, never an indexed symbol.
sy, of, why = idx.lookup_many([addr + 1, addr], reasons=True)
check(list(sy) == [ksym.NO_SYMBOL] * 2 and list(why) == [ksym.REASON_LIVE] * 2
      and list(of) == [1, 0], "lookup_many: live frames as lookup answers them")
got = "%016x %s" % (addr, idx.frame(addr))
check(got == want, "Index.frame prints what ksym lookup prints: %r, %r" % (got, want))
check(not idx.symbol(0).live, "a Symbol is not live")
sys.exit(0 if ok else 1)
PY
