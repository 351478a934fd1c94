#!/usr/bin/env bash
# Names from an untrusted kallsyms reach no terminal raw: every command that
# prints a name, in text and JSON, escapes C1 controls (U+009B is CSI on
# some terminals), bytes that are not UTF-8 and '\' (names/printable.h);
# C0 controls and DEL are refused by the kallsyms parser itself.
set -uo pipefail
ksym="$1"
sample="$2"
tmp="${TEST_TMPDIR:-$(mktemp -d)}"
fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1"; echo "  expected: $2"; echo "  actual:   $3"; fail=1
  else
    echo "ok: $1"
  fi
}

# A real kallsyms head (so it parses as the kernel writes it), then names
# holding a C1 CSI, a byte that is not UTF-8, '\' and '"': each twice in
# the core kernel (ambiguous), the CSI one once more in a loadable module.
gzip -dc "$sample" | head -n 400 > "$tmp/kallsyms"
csi=$'csi\xc2\x9b2Jname'
bad=$'bad\xffname'
{
  printf 'ffffffffa1000000 t %s\nffffffffa1000100 t %s\n' "$csi" "$csi"
  printf 'ffffffffa1000200 t %s\nffffffffa1000300 t %s\n' "$bad" "$bad"
  printf 'ffffffffa1000400 t back\\slash\nffffffffa1000500 t q"uote\n'
  printf 'ffffffffc0000000 t %s\t[evil]\n' "$csi"
} >> "$tmp/kallsyms"
"$ksym" build -q --kallsyms "$tmp/kallsyms" -o "$tmp/e.ksym"
check "build with C1 and non-UTF-8 names" 0 $?

# Every byte of FILE... is valid UTF-8 with no control character but \t
# and \n (no C0, DEL, C1).
clean() {
  python3 - "$@" <<'EOF'
import sys
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        sys.exit('%s: not UTF-8 at byte %d: %r' % (path, e.start, data[max(0, e.start - 20):e.start + 20]))
    for i, ch in enumerate(text):
        o = ord(ch)
        if (o < 0x20 and ch not in '\t\n') or 0x7f <= o <= 0x9f:
            sys.exit('%s: raw control U+%04X at character %d: %r' % (path, o, i, text[max(0, i - 20):i + 20]))
EOF
}

probe=(--tracefs "$tmp" --blacklist "$tmp/none")
: > "$tmp/none"
run() {  # run LABEL ARGS...: stdout and stderr of `ksym ARGS` are clean
  local label="$1"; shift
  "$ksym" "$@" > "$tmp/out" 2> "$tmp/err"
  local msg
  if msg=$(clean "$tmp/out" "$tmp/err" 2>&1); then
    echo "ok: $label prints no raw control or non-UTF-8 byte"
  else
    echo "FAIL: $label: $msg"; fail=1
  fi
}
for q in "$csi" "$bad" "$csi [evil]" 'back\slash'; do
  run "resolve" resolve -i "$tmp/e.ksym" "$q"
  run "resolve --json" resolve -i "$tmp/e.ksym" --json "$q"
  run "resolve --unique" resolve -i "$tmp/e.ksym" --unique "$q"
  run "why" why -i "$tmp/e.ksym" "$q"
  run "why --json" why -i "$tmp/e.ksym" --json "$q"
  run "probe" probe -i "$tmp/e.ksym" "${probe[@]}" "$q"
  run "probe --format kprobe" probe -i "$tmp/e.ksym" "${probe[@]}" --format kprobe "$q"
  run "probe --format json" probe -i "$tmp/e.ksym" "${probe[@]}" --format json "$q"
done
run "resolve of an unknown name (echoed)" resolve -i "$tmp/e.ksym" $'nope\xc2\x9b\xff'
run "why of an unknown name (echoed)" why -i "$tmp/e.ksym" $'nope\xc2\x9b\xff'
run "list" list -i "$tmp/e.ksym"
run "info" info -i "$tmp/e.ksym"
run "info --json" info -i "$tmp/e.ksym" --json
addrs=(ffffffffa1000000 ffffffffa1000204 ffffffffa1000400 ffffffffc0000000)
run "lookup" lookup -i "$tmp/e.ksym" "${addrs[@]}"
run "lookup --json" lookup -i "$tmp/e.ksym" --json "${addrs[@]}"
run "lookup --all" lookup -i "$tmp/e.ksym" --all "${addrs[@]}"
# Frames whose text is plain but whose answer is a hostile name: an old
# [<ADDR>] frame, a bare address, perf script frames, an oops frame. (The
# trace's own bytes pass through as they are: they are the user's.)
{
  printf ' [<ffffffffa1000004>] x\n[  1.0] ffffffffa1000204\n'
  printf '\tffffffffa1000408 printk+0x8 ([kernel.kallsyms])\n'
  printf '\tffffffffa1000004 back\\slash+0x4 ([kernel.kallsyms])\n'
  printf '[  2.0]  ffffffffa1000304 %s+0x4/0x100\n' 'back\slash'
} > "$tmp/trace"
run "symbolize" symbolize -i "$tmp/e.ksym" --addresses < "$tmp/trace"
"$ksym" symbolize -i "$tmp/e.ksym" < "$tmp/trace" > "$tmp/out" 2> "$tmp/err"
clean "$tmp/out" "$tmp/err" && echo "ok: symbolize prints no raw byte" \
  || { echo "FAIL: symbolize"; fail=1; }

# The escape is visible and reversible: \xNN for each byte, '\' as \x5c;
# JSON says \u009b (the same character) and U+FFFD for a non-UTF-8 byte.
check "resolve text escapes" \
  'csi\xc2\x9b2Jname' \
  "$("$ksym" resolve -i "$tmp/e.ksym" "$csi [evil]" | awk '{print $2}')"
check "list escapes '\\'" 1 \
  "$("$ksym" list -i "$tmp/e.ksym" | grep -c 'back\\x5cslash')"
check "lookup text escapes a non-UTF-8 byte" 1 \
  "$("$ksym" lookup -i "$tmp/e.ksym" ffffffffa1000204 | grep -c 'bad\\xffname+0x4/0x100')"
check "lookup --json escapes C1 as \\u009b" 1 \
  "$("$ksym" lookup -i "$tmp/e.ksym" --json ffffffffc0000000 | grep -c '"name":"csi\\u009b2Jname"')"

# C0 controls and DEL in a kallsyms name are refused at build, naming the
# file, the line and the byte; nothing is written.
for byte in '\x1b' '\x07' '\x7f'; do
  { gzip -dc "$sample" | head -n 10; printf "ffffffffa1000000 t esc${byte}]0;pwned\n"; } > "$tmp/c0"
  "$ksym" build -q --kallsyms "$tmp/c0" -o "$tmp/c0.ksym" 2> "$tmp/err"
  check "build refuses $byte in a name" 3 $?
  grep -qF "$tmp/c0:11: bad character '$byte' in symbol name \"esc\"" "$tmp/err" \
    && echo "ok: the refusal names file, line and byte" \
    || { echo "FAIL: refusal message: $(cat -v "$tmp/err")"; fail=1; }
  [ -e "$tmp/c0.ksym" ] && { echo "FAIL: an index was written"; fail=1; }
  clean "$tmp/err" || { echo "FAIL: the refusal echoes raw bytes"; fail=1; }
done
exit $fail
