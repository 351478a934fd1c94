#!/usr/bin/env bash
# Installs ksym into a temp prefix (tools/install_layout.sh, as
# tools/install.sh does after building), then, outside Bazel, compiles a C
# program with gcc via pkg-config (against libksym.so, and statically
# against libksym.a), a C++ program with g++, and runs them and a Python
# script: each must print exactly what the installed CLI prints for the
# same addresses and queries, on an index of the real kallsyms sample, on
# one name with 100 symbols (more than any fixed buffer), and on the Debian
# kernel's vmlinux when KSYM_DEBIAN_KERNEL is set.
set -uo pipefail
sample="$1"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
prefix="$tmp/prefix"
fail=0
tools/install_layout.sh "$prefix" . . || { echo "FAIL: install"; exit 1; }
for f in bin/ksym include/ksym/ksym.h lib/libksym.so lib/libksym.so.0 lib/libksym.a \
         lib/pkgconfig/ksym.pc lib/python3/dist-packages/ksym/__init__.py; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; fail=1; }
done
# Under --config=asan the libraries are instrumented: the programs link the
# sanitizer runtimes too, and Python (not instrumented) preloads them.
san=() py_preload=
if nm -D "$prefix/lib/libksym.so" | grep ' U __asan_init' >/dev/null; then
  san=(-fsanitize=address,undefined)
  py_preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
fi
# The extension is built for Debian's Python (python3-dev): run that one.
python=/usr/bin/python3
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --variable=prefix ksym)" = "$prefix" ] || { echo "FAIL: ksym.pc prefix"; fail=1; }
gcc "${san[@]}" -std=c99 -Wall -Werror -o "$tmp/lookup_c" capi/examples/lookup.c $(pkg-config --cflags --libs ksym) \
  || { echo "FAIL: gcc"; exit 1; }
gcc "${san[@]}" -std=c99 -o "$tmp/lookup_static" capi/examples/lookup.c \
  $(pkg-config --cflags ksym) "$prefix/lib/libksym.a" $(pkg-config --static --libs-only-l ksym | sed 's/-lksym//') \
  || { echo "FAIL: gcc static"; exit 1; }
g++ "${san[@]}" -std=c++17 -Wall -Werror -o "$tmp/lookup_cc" capi/examples/lookup.cc $(pkg-config --cflags --libs ksym) \
  || { echo "FAIL: g++"; exit 1; }
readelf -d "$tmp/lookup_static" | grep 'libksym' >/dev/null && { echo "FAIL: static binary needs libksym.so"; fail=1; }
export LD_LIBRARY_PATH="$prefix/lib"
export PYTHONPATH="$prefix/lib/python3/dist-packages"

compare() {  # compare INDEX ADDRS QUERY...
  local index=$1 addrs=$2
  shift 2
  local queries=("$@")
  { "$prefix/bin/ksym" lookup -i "$index" $addrs
    "$prefix/bin/ksym" resolve -i "$index" "${queries[@]}"; } > "$tmp/want" 2>/dev/null
  [ -s "$tmp/want" ] || { echo "FAIL: the CLI printed nothing"; fail=1; }
  for prog in "$tmp/lookup_c" "$tmp/lookup_static" "$tmp/lookup_cc" "$python python/examples/lookup.py"; do
    local preload=
    case "$prog" in "$python"*) preload=$py_preload ;; esac
    LD_PRELOAD="$preload" $prog "$index" $addrs -- "${queries[@]}" > "$tmp/got" 2> "$tmp/err"
    if cmp -s "$tmp/want" "$tmp/got"; then
      echo "ok: ${prog##*/} prints what the CLI prints ($(wc -l < "$tmp/want") lines, ${index##*/})"
    else
      echo "FAIL: $prog differs from the CLI on $index"; diff "$tmp/want" "$tmp/got" | head; cat "$tmp/err" | head -5; fail=1
    fi
  done
}

# `ksym lookup --lines`: the C program prints ksym_format_location's text,
# the C++ one builds it from ksym_lookup_location's frames, Python prints
# Symbol.source_lines (checked against Symbol.location and .inlined).
compare_lines() {  # compare_lines INDEX ADDRS
  local index=$1 addrs=$2
  "$prefix/bin/ksym" lookup --lines -i "$index" $addrs > "$tmp/want" 2>/dev/null
  [ -s "$tmp/want" ] || { echo "FAIL: the CLI printed nothing"; fail=1; }
  for prog in "$tmp/lookup_c" "$tmp/lookup_static" "$tmp/lookup_cc" "$python python/examples/lookup.py"; do
    local preload=
    case "$prog" in "$python"*) preload=$py_preload ;; esac
    LD_PRELOAD="$preload" $prog "$index" --lines $addrs > "$tmp/got" 2> "$tmp/err"
    if cmp -s "$tmp/want" "$tmp/got"; then
      echo "ok: ${prog##*/} --lines prints what the CLI prints ($(wc -l < "$tmp/want") lines, ${index##*/})"
    else
      echo "FAIL: $prog --lines differs from the CLI on $index"; diff "$tmp/want" "$tmp/got" | head; cat "$tmp/err" | head -5; fail=1
    fi
  done
}

gzip -dc "$sample" > "$tmp/kallsyms"
"$prefix/bin/ksym" build -q --kallsyms "$tmp/kallsyms" -o "$tmp/s.ksym" || exit 1
# Every 401st symbol, +3, and addresses nothing covers.
addrs="$(awk 'NR % 101 == 1 {print $1}' "$tmp/kallsyms") 1 ffffffffffffffff"
dups=$(awk '{print $3}' "$tmp/kallsyms" | sort | uniq -d | head -20)
queries=($dups schedule 'schedule+0x10' no_such_symbol_anywhere)
compare "$tmp/s.ksym" "$addrs" "${queries[@]}"
# No line table in an index from kallsyms: every front end says why.
compare_lines "$tmp/s.ksym" "$addrs"
{ cat "$tmp/kallsyms"; printf 'ffffffffc0a01000 t vfat_mount\t[vfat]\nffffffffc0a01200 T vfat_fill_super\t[vfat]\n'; } > "$tmp/kmod"
"$prefix/bin/ksym" build -q --kallsyms "$tmp/kmod" -o "$tmp/m.ksym" || exit 1
LD_PRELOAD="$py_preload" "$python" python/tests/ksym_test.py "$tmp/s.ksym" "$tmp/m.ksym" || fail=1

# Python verifies checksums by default, as the CLI and ksym_open do: a byte
# flipped near the end of the file used to give wrong names silently. A
# name that is not UTF-8 reads, escaped, instead of raising; a path with a
# NUL byte is an error, not a shorter path.
cp "$tmp/s.ksym" "$tmp/flipped.ksym"
size=$(stat -c %s "$tmp/flipped.ksym")
printf '\x5a' | dd of="$tmp/flipped.ksym" bs=1 seek=$((size - 9)) conv=notrunc status=none
{ echo "ffffffff81000000 T _text"
  printf 'ffffffff81000100 t bad_\xff\xfe_name\n'
  echo "ffffffff81000200 T _etext"
} > "$tmp/latin1"
"$prefix/bin/ksym" build -q --kallsyms "$tmp/latin1" -o "$tmp/latin1.ksym" || { echo "FAIL: build of a non-UTF-8 name"; fail=1; }
LD_PRELOAD="$py_preload" "$python" - "$tmp" <<'PY' || fail=1
import sys, ksym
tmp = sys.argv[1]
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond
try:
    ksym.Index(tmp + "/flipped.ksym")
    check(False, "a damaged index raises by default")
except ValueError as e:
    check("checksum" in str(e), "a damaged index raises by default: %s" % e)
idx = ksym.Index(tmp + "/latin1.ksym")
s = idx.lookup(0xffffffff81000104)
check(s is not None and s.name == "bad_\\xff\\xfe_name", "a non-UTF-8 name reads escaped: %r" % (s and s.name))
check("bad_\\xff\\xfe_name+0x4/" in s.frame and "bad_" in idx.frame(0xffffffff81000104), "its frame too")
try:
    ksym.Index(tmp + "/latin1.ksym\0.other")
    check(False, "a NUL byte in a path raises")
except ValueError:
    check(True, "a NUL byte in a path raises ValueError")
sys.exit(0 if ok else 1)
PY

# More candidates than a fixed buffer would hold: 100 symbols of one name
# (an allyesconfig kernel has a _sub_I_65535_1 per object with a
# constructor). Every program must print all of them, as the CLI does.
{ echo "ffffffff81000000 T _text"
  for i in $(seq 0 99); do printf 'ffffffff81%06x t _sub_I_65535_1\n' $((0x1000 + 64 * i)); done
} > "$tmp/many"
"$prefix/bin/ksym" build -q --kallsyms "$tmp/many" -o "$tmp/m.ksym" || exit 1
compare "$tmp/m.ksym" ffffffff81001010 _sub_I_65535_1
[ "$(grep -c ' _sub_I_65535_1 (ambiguous' "$tmp/want")" -eq 100 ] \
  || { echo "FAIL: the CLI did not list 100 candidates"; fail=1; }

if [ -n "${KSYM_DEBIAN_KERNEL:-}" ]; then
  k=$KSYM_DEBIAN_KERNEL
  release=$(ls "$k/lib/modules")
  "$prefix/bin/ksym" build -q --vmlinux "$k/usr/lib/debug/boot/vmlinux-$release" \
    --system-map "$k/usr/lib/debug/boot/System.map-$release" \
    --modules-dir "$k/lib/modules/$release" -o "$tmp/d.ksym" || exit 1
  # Every 97th symbol's address + 5 (inside it, or past its end).
  addrs=$("$prefix/bin/ksym" list -i "$tmp/d.ksym" | python3 -c '
import sys
for k, line in enumerate(sys.stdin):
    if k % 97 == 0:
        print("%x" % (int(line.split()[0], 16) + 5))')
  queries=(init_once type_show 'init_once {ext4/super}' 'init_once+0x12/0x64' 'init_once+0x12/0x70' ext4_fill_super)
  compare "$tmp/d.ksym" "$addrs" "${queries[@]}"
  compare_lines "$tmp/d.ksym" "$addrs"
  grep -q ' (inlined)$' "$tmp/want" && grep -q '^  ?? (' "$tmp/want" \
    && echo "ok: the --lines comparison has inlined frames and frames without lines" \
    || { echo "FAIL: the --lines addresses have no inlined frame or no frame without lines"; fail=1; }
  # Python's dicts on real data: what lookup --lines --json writes.
  LD_PRELOAD="$py_preload" "$python" - "$tmp/d.ksym" "$prefix/bin/ksym" $addrs <<'PY' || fail=1
import json, subprocess, sys, ksym
idx = ksym.Index(sys.argv[1])
ok = True
def check(cond, what):
    global ok
    print(("ok: " if cond else "FAIL: ") + what)
    ok = ok and cond
syms = [s for s in (idx.lookup(int(a, 16)) for a in sys.argv[3:]) if s is not None]
deep = next((s for s in syms if s.inlined), None)
check(deep is not None, "an address with inlined frames")
out = subprocess.run([sys.argv[2], "lookup", "--lines", "--json", "-i", sys.argv[1],
                      "%x" % deep.address], capture_output=True, text=True).stdout
j = json.loads(out)
check(j["location"] == deep.location and j["inlined"] == deep.inlined,
      "Symbol.location and .inlined are lookup --lines --json's: %s" % deep.location)
check(deep.location["prefix"].endswith("/") and not deep.location["file"].startswith(deep.location["prefix"]),
      "files are under the build prefix")
none = next((s for s in syms if s.location is None), None)
check(none is not None and none.location_missing and none.inlined == [] and
      none.source_lines == ["  ?? (%s)" % none.location_missing],
      "no lines: location_missing says why (%s)" % (none and none.location_missing))
asked = [int(a, 16) for a in sys.argv[3:]]
_, _, files, lines, table = idx.lookup_many(asked, lines=True)
want = []
for a in asked:
    s = idx.lookup(a)
    loc = s.location if s is not None else None
    want.append((loc["file"] or None, loc["line"]) if loc else (None, 0))
got = [(table[f] if f != ksym.NO_FILE else None, l) for f, l in zip(files, lines)]
check(got == want and len(table) == len(set(table)) > 1,
      "lookup_many(lines=True): each address's Symbol.location file and line (%d files)" % len(table))
text = "[<%016x>] " % deep.address
got = idx.symbolize(text, lines=True)
check("%s:%d" % (deep.location["file"], deep.location["line"]) in got,
      "symbolize(lines=True) prints file:line: %r" % got)
sys.exit(0 if ok else 1)
PY
  # Export then import is exact on the real index with its line section:
  # the same bytes, with the inferred built-in modules (ext4's objects)
  # still marked, and nothing said to be left out.
  "$prefix/bin/ksym" export -i "$tmp/d.ksym" -o "$tmp/d.pb" 2> "$tmp/export.err" &&
    "$prefix/bin/ksym" import "$tmp/d.pb" -o "$tmp/d2.ksym" || { echo "FAIL: export/import"; fail=1; }
  grep -q 'line' "$tmp/export.err" \
    && { echo "FAIL: export speaks of lines: $(cat "$tmp/export.err")"; fail=1; }
  cmp -s "$tmp/d.ksym" "$tmp/d2.ksym" && echo "ok: export/import of the Debian index with lines is byte-identical" \
    || { echo "FAIL: export/import of the Debian index differs"; fail=1; }
  inferred=$("$prefix/bin/ksym" info -i "$tmp/d.ksym" | grep -c inferred)
  [ "$inferred" -gt 0 ] && [ "$inferred" = "$("$prefix/bin/ksym" info -i "$tmp/d2.ksym" | grep -c inferred)" ] \
    && echo "ok: inferred modules survive export/import" \
    || { echo "FAIL: inferred lines in info: $inferred before, not the same after"; fail=1; }
fi
exit $fail
