#!/usr/bin/env bash
# The CLI contract scripts rely on: outputs, JSON Lines, exit codes.
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

gzip -dc "$sample" > "$tmp/kallsyms"
"$ksym" build -q --kallsyms "$tmp/kallsyms" -o "$tmp/k.ksym"
check "build exit" 0 $?
[ -s "$tmp/k.ksym" ] || { echo "FAIL: no index written"; fail=1; }
ls "$tmp"/k.ksym.tmp.* >/dev/null 2>&1 && { echo "FAIL: temp file left"; fail=1; }

# Pick a real symbol and a duplicated name from the sample.
read -r addr type name < <(awk '$2=="T" {print; exit}' "$tmp/kallsyms")
dup=$(awk '{print $3}' "$tmp/kallsyms" | sort | uniq -d | grep -v '^__pfx_' | head -1)
ndup=$(awk -v n="$dup" '$3==n' "$tmp/kallsyms" | wc -l)

out=$("$ksym" lookup -i "$tmp/k.ksym" "$addr")
check "lookup exit" 0 $?
case "$out" in "$addr "*"+0x0/0x"*) echo "ok: lookup text";; *) echo "FAIL: lookup text: $out"; fail=1;; esac

out=$(echo "0x$addr" | "$ksym" lookup -i "$tmp/k.ksym" --json)
case "$out" in
  '{"address":"0x'*'"found":true,'*'"offset":0}') echo "ok: lookup json";;
  *) echo "FAIL: lookup json: $out"; fail=1;;
esac

# The text's /0xLEN is the JSON's kernel_length (the distance to the next
# symbol, as %pS prints it), whatever the ELF size.
len=$("$ksym" lookup -i "$tmp/k.ksym" "$addr" | sed 's|.*+0x[0-9a-f]*/0x\([0-9a-f]*\).*|\1|')
klen=$("$ksym" lookup -i "$tmp/k.ksym" --json "$addr" | sed 's|.*"kernel_length":\([0-9]*\).*|\1|')
check "lookup text length is the JSON kernel_length" "$((16#$len))" "$klen"
check "lookup --full-object on an index without objects" \
  "$("$ksym" lookup -i "$tmp/k.ksym" "$addr")" "$("$ksym" lookup -i "$tmp/k.ksym" --full-object "$addr")"

out=$("$ksym" lookup -i "$tmp/k.ksym" 1)
check "lookup not found exit" 1 $?
check "lookup not found text" "0000000000000001 ?? (not a kernel address: below the kernel text)" "$out"
out=$("$ksym" lookup -i "$tmp/k.ksym" --json 1)
check "lookup not found json" '{"address":"0x1","found":false,"reason":"not a kernel address: below the kernel text"}' "$out"
out=$("$ksym" lookup -i "$tmp/k.ksym" 00007f0012345678 ffff888000000000)
check "lookup user space and direct map" "00007f0012345678 ?? (not a kernel address: below the kernel text)
ffff888000000000 ?? (not a kernel address: below the kernel text)" "$out"

"$ksym" lookup -i "$tmp/k.ksym" xyz >/dev/null 2>"$tmp/err"
check "bad address exit" 2 $?
check "bad address message" 'ksym: lookup: not a hex address: "xyz"' "$(cat "$tmp/err")"

n=$("$ksym" resolve -i "$tmp/k.ksym" "$dup" | wc -l)
check "resolve finds every duplicate of $dup" "$ndup" "$n"
"$ksym" resolve -i "$tmp/k.ksym" --unique "$dup" >"$tmp/out" 2>"$tmp/err"
check "resolve --unique ambiguous exit" 1 $?
# A script reading stdout must not take the first candidate for the answer.
check "resolve --unique ambiguous prints nothing on stdout" "" "$(cat "$tmp/out")"
check "resolve --unique ambiguous lists each candidate on stderr" "$ndup" \
  "$(grep -c "^  $dup" "$tmp/err")"
out=$("$ksym" --version)
check "--version exit" 0 $?
case "$out" in "ksym "[0-9]*.[0-9]*" (index format "[0-9]*")") echo "ok: --version";; *) echo "FAIL: --version: $out"; fail=1;; esac
"$ksym" --help | grep -q 'RELEASE-BUILDID.ksym' && echo "ok: --help names the cache file" \
  || { echo "FAIL: --help does not name RELEASE-BUILDID.ksym"; fail=1; }
grep -q "is ambiguous: $ndup symbols match" "$tmp/err" || { echo "FAIL: ambiguity message: $(cat "$tmp/err")"; fail=1; }
out=$("$ksym" resolve -i "$tmp/k.ksym" --json "$name")
case "$out" in
  '{"query":"'"$name"'","candidates":[{"name":"'"$name"'"'*) echo "ok: resolve json";;
  *) echo "FAIL: resolve json: $out"; fail=1;;
esac
"$ksym" resolve -i "$tmp/k.ksym" no_such_symbol_anywhere >/dev/null 2>&1
check "resolve not found exit" 1 $?

# list reproduces the input lines (no modules/objects in the sample), each
# name that stays ambiguous marked with a query that selects it.
"$ksym" list -i "$tmp/k.ksym" > "$tmp/list.raw"
sed 's/ (ambiguous, [0-9]* candidates; this one: [^)]*)$//' "$tmp/list.raw" | sort > "$tmp/list"
sort "$tmp/kallsyms" > "$tmp/want"
cmp -s "$tmp/list" "$tmp/want" && echo "ok: list" || { echo "FAIL: list differs"; diff "$tmp/want" "$tmp/list" | head; fail=1; }
# Marked: exactly the lines whose name is not unique (the sample has no
# objects, so same-named symbols of one module set stay ambiguous) -- and
# every marker's query selects its own line's address.
nmarked=$(grep -c ' (ambiguous, ' "$tmp/list.raw")
[ "$nmarked" -gt 0 ] && echo "ok: list marks $nmarked ambiguous names" || { echo "FAIL: list marks nothing"; fail=1; }
grep ' (ambiguous, ' "$tmp/list.raw" > "$tmp/marked"
head -20 "$tmp/marked" > "$tmp/marked20"
while IFS= read -r line; do
  q=${line##*this one: }; q=${q%)}
  got=$("$ksym" resolve -i "$tmp/k.ksym" --unique "$q" | cut -d' ' -f1)
  [ "$got" = "${line%% *}" ] || { echo "FAIL: marker query '$q' resolves to '$got', not ${line%% *}"; fail=1; }
done < "$tmp/marked20"

"$ksym" verify -i "$tmp/k.ksym" >/dev/null
check "verify exit" 0 $?
"$ksym" info -i "$tmp/k.ksym" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["symbols"]>1000 and d["duplicate_text_names"]>0, d' 
check "info json" 0 $?

# A kallsyms index holds runtime addresses: written 0600, and exported only
# with --absolute (its slide is unknown, so no link-time form exists).
check "runtime index mode" 600 "$(stat -c %a "$tmp/k.ksym")"
"$ksym" export -i "$tmp/k.ksym" -o "$tmp/k.pb" 2>"$tmp/err"
check "export of a runtime index without --absolute exit" 3 $?
grep -q -- "--absolute" "$tmp/err" || { echo "FAIL: export message: $(cat "$tmp/err")"; fail=1; }
"$ksym" export --absolute -i "$tmp/k.ksym" -o "$tmp/k.pb" && "$ksym" import "$tmp/k.pb" -o "$tmp/k2.ksym"
cmp -s "$tmp/k.ksym" "$tmp/k2.ksym" && echo "ok: export/import round trip" || { echo "FAIL: round trip"; fail=1; }
check "absolute export mode" 600 "$(stat -c %a "$tmp/k.pb")"

# -o never replaces a special file (a FIFO stands in for /dev/null).
mkfifo "$tmp/fifo"
"$ksym" build -q --kallsyms "$tmp/kallsyms" -o "$tmp/fifo" 2>"$tmp/err"
check "build -o FIFO exit" 3 $?
[ -p "$tmp/fifo" ] && echo "ok: FIFO kept" || { echo "FAIL: FIFO replaced"; fail=1; }
grep -q "refusing to replace" "$tmp/err" || { echo "FAIL: -o message: $(cat "$tmp/err")"; fail=1; }

# `-o ''` used to write the running kernel's cache slot silently.
XDG_CACHE_HOME="$tmp/empty-o-cache" "$ksym" build -q --kallsyms "$tmp/kallsyms" -o '' 2>"$tmp/err"
check "build -o '' exit" 3 $?
[ -e "$tmp/empty-o-cache" ] && { echo "FAIL: -o '' wrote the cache"; fail=1; }
grep -q "index path is empty" "$tmp/err" || { echo "FAIL: -o '' message: $(cat "$tmp/err")"; fail=1; }

# Devices are not inputs: no endless read of /dev/zero.
timeout 20 "$ksym" import /dev/zero -o "$tmp/z.ksym" 2>"$tmp/err"
check "import /dev/zero exit" 3 $?
timeout 20 "$ksym" build -q --kallsyms /dev/zero -o "$tmp/z.ksym" 2>"$tmp/err"
check "build --kallsyms /dev/zero exit" 3 $?
grep -q "is a device" "$tmp/err" || { echo "FAIL: device message: $(cat "$tmp/err")"; fail=1; }

# A failed write to stdout is an error in every command.
if [ -w /dev/full ]; then
  for args in "lookup $addr" "resolve $name" "list" "info" "info --json" "verify" "export --absolute -o -"; do
    "$ksym" $args -i "$tmp/k.ksym" >/dev/full 2>"$tmp/err"
    rc=$?
    check "$args > /dev/full exit" 3 $rc
    grep -q "cannot write standard output" "$tmp/err" || { echo "FAIL: $args /dev/full message: $(cat "$tmp/err")"; fail=1; }
  done
  echo "RIP at $addr" | "$ksym" symbolize -i "$tmp/k.ksym" >/dev/full 2>/dev/null
  check "symbolize > /dev/full exit" 3 $?
  "$ksym" lookup --help >/dev/full 2>/dev/null
  check "SUBCMD --help > /dev/full exit" 3 $?
fi

# Long lines are bounded: skipped with a message, echoed text is cut.
{ echo "$addr"; head -c 3000000 /dev/zero | tr '\0' 'x'; echo; echo "$addr"; } |
  "$ksym" lookup -i "$tmp/k.ksym" >"$tmp/out" 2>"$tmp/err"
check "overlong stdin line exit" 2 $?
check "overlong stdin line: the other lines answered" 2 "$(wc -l < "$tmp/out")"
grep -q "<stdin>:2: line longer than 1048576 bytes skipped" "$tmp/err" || { echo "FAIL: long line message: $(cat "$tmp/err")"; fail=1; }
"$ksym" lookup -i "$tmp/k.ksym" "$(head -c 5000 /dev/zero | tr '\0' 'z')" 2>"$tmp/err" >/dev/null
check "long bad address echo is cut" 1 "$(wc -l < "$tmp/err")"
grep -q '\.\.\. (5000 bytes)' "$tmp/err" || { echo "FAIL: echo not cut: $(head -c 300 "$tmp/err")"; fail=1; }

# symbolize copies an overlong line unchanged (never held whole) and says so;
# the lines around it are still rewritten.
{ echo "RIP at $addr"; head -c 3000000 /dev/zero | tr '\0' 'x'; echo; echo "RIP at $addr"; } |
  "$ksym" symbolize -i "$tmp/k.ksym" >"$tmp/out" 2>"$tmp/err"
check "symbolize overlong line exit" 0 $?
check "symbolize overlong line: every line out" 3 "$(wc -l < "$tmp/out")"
check "symbolize overlong line copied" 3000000 "$(sed -n 2p "$tmp/out" | tr -d '\n' | wc -c)"
check "symbolize other lines rewritten" 2 "$(grep -c "($name+0x0/" "$tmp/out")"
grep -q "<stdin>:2: line of 3000000 bytes (longer than 1048576) copied unchanged" "$tmp/err" || { echo "FAIL: symbolize long line message: $(cat "$tmp/err")"; fail=1; }

# Addresses are hex digits with one optional 0x: "0x0x1" is not 1.
for bad in 0x0x1 0x +1 " 1"; do
  "$ksym" lookup -i "$tmp/k.ksym" -- "$bad" >/dev/null 2>"$tmp/err"
  check "lookup \"$bad\" exit" 2 $?
done

# An index truncated in place while mapped: a clean message, not SIGBUS.
# lookup checks the file before line 1 and every 64th line; a truncation
# between checks reaches the SIGBUS handler, which says it too.
cp "$tmp/k.ksym" "$tmp/t.ksym"
mkfifo "$tmp/in"
"$ksym" lookup -i "$tmp/t.ksym" < "$tmp/in" >"$tmp/out" 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/in"
echo "$addr" >&3
for _ in $(seq 200); do grep -qF "$tmp/t.ksym" /proc/$pid/maps 2>/dev/null && break; sleep 0.05; done
sleep 0.2
truncate -s 0 "$tmp/t.ksym"
echo "$addr" >&3
exec 3>&-
wait $pid
check "index truncated under lookup exit" 3 $?
grep -qE "changed while it was read|rewritten in place while being read" "$tmp/err" || { echo "FAIL: SIGBUS message: $(cat "$tmp/err")"; fail=1; }

# Damage: a flipped byte is caught by verify; a truncated file at open.
cp "$tmp/k.ksym" "$tmp/bad.ksym"
printf '\x5a' | dd of="$tmp/bad.ksym" bs=1 seek=5000 conv=notrunc 2>/dev/null
"$ksym" verify -i "$tmp/bad.ksym" >/dev/null 2>"$tmp/err"
check "verify damaged exit" 1 $?
grep -q "checksum mismatch" "$tmp/err" || { echo "FAIL: verify message: $(cat "$tmp/err")"; fail=1; }
head -c 1000 "$tmp/k.ksym" > "$tmp/trunc.ksym"
"$ksym" lookup -i "$tmp/trunc.ksym" 1 >/dev/null 2>"$tmp/err"
check "truncated exit" 3 $?
grep -q "truncated index" "$tmp/err" || { echo "FAIL: truncated message: $(cat "$tmp/err")"; fail=1; }

# symbolize: text passes through byte for byte, kernel addresses get names.
printf 'hello world\n\tno frames here 1234\n' > "$tmp/plain"
"$ksym" symbolize -i "$tmp/k.ksym" < "$tmp/plain" > "$tmp/plain.out"
cmp -s "$tmp/plain" "$tmp/plain.out" && echo "ok: symbolize passthrough" || { echo "FAIL: symbolize changed plain text"; fail=1; }
out=$(echo "RIP at $addr" | "$ksym" symbolize -i "$tmp/k.ksym")
case "$out" in "RIP at $addr ("*"+0x0/0x"*")") echo "ok: symbolize address";; *) echo "FAIL: symbolize address: $out"; fail=1;; esac

# probe: a duplicated name is refused, listing one query per candidate;
# each of them, given back, selects exactly one distinct address, which the
# kprobe line names (the sample has no objects: @0xADDR selects).
fdup=$(awk '$2 ~ /[tT]/ {print $3}' "$tmp/kallsyms" | sort | uniq -d | grep -v '^__pfx_' | head -1)
nfdup=$(awk -v n="$fdup" '$3==n' "$tmp/kallsyms" | wc -l)
"$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp" --blacklist "$tmp/none" "$fdup" >/dev/null 2>"$tmp/err"
check "probe ambiguous exit" 1 $?
tail -n +2 "$tmp/err" | sed 's/^  //' > "$tmp/suggestions"
check "probe lists every candidate of $fdup" "$nfdup" "$(wc -l < "$tmp/suggestions")"
: > "$tmp/addrs"
while IFS= read -r q; do
  a=$("$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp" --blacklist "$tmp/none" --format address "$q" 2>/dev/null)
  k=$("$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp" --blacklist "$tmp/none" --format kprobe "$q" 2>/dev/null)
  case "$k" in "p:ksym/"*" $a") ;; *) echo "FAIL: probe $q: kprobe '$k' vs address '$a'"; fail=1;; esac
  echo "$a" >> "$tmp/addrs"
done < "$tmp/suggestions"
check "probe suggestions select distinct symbols" "$nfdup" "$(sort -u "$tmp/addrs" | grep -c '^0x')"
out=$("$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp" --blacklist "$tmp/none" --format kprobe --event g/e "$name")
check "probe unique name" "p:g/e $name" "$out"
"$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp" --blacklist "$tmp/none" --format json "$name" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["form"]=="symbol" and d["kprobe"]["available"], d'
check "probe json" 0 $?
"$ksym" probe -i "$tmp/k.ksym" --format dtrace "$name" >/dev/null 2>&1
check "probe bad format exit" 2 $?
# --root: the tracefs files of a saved system, in the kernel's format; the
# sample's first duplicated function is on line 2 of them.
addr1=$(awk -v n="$fdup" '$3==n {print $1; exit}' "$tmp/kallsyms")
mkdir -p "$tmp/root/sys/kernel/tracing"
printf '%s\n%s\n' "$name" "$fdup" > "$tmp/root/sys/kernel/tracing/available_filter_functions"
printf '%s %s\n%s %s\n' "$addr" "$name" "$addr1" "$fdup" > "$tmp/root/sys/kernel/tracing/available_filter_functions_addrs"
out=$("$ksym" probe -i "$tmp/k.ksym" --root "$tmp/root" --format ftrace "$fdup @0x$addr1" 2>/dev/null)
check "probe ftrace index under --root" 2 "$out"

# why: every symbol of the name, and the reason it stays ambiguous; info
# lists every ambiguous name with its reason.
out=$("$ksym" why -i "$tmp/k.ksym" "$fdup")
check "why exit" 0 $?
check "why lists every $fdup" "$nfdup" "$(grep -c '^  0x' <<< "$out")"
grep -q "^still ambiguous: $fdup (.*no object files at all" <<< "$out" || { echo "FAIL: why reason: $out"; fail=1; }
# Any query resolve takes: a query naming one of them explains the name.
q=$("$ksym" resolve -i "$tmp/k.ksym" "$fdup" | head -1 | awk '{print $2" @0x"$1}')
check "why takes a resolve query" "$out" "$("$ksym" why -i "$tmp/k.ksym" "$q")"
"$ksym" why -i "$tmp/k.ksym" "no_such_symbol_anywhere [x]" 2>/dev/null
check "why of nothing exit" 1 $?
"$ksym" why -i "$tmp/k.ksym" no_such_symbol_anywhere >/dev/null 2>&1
check "why not found exit" 1 $?
namb=$("$ksym" info -i "$tmp/k.ksym" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["ambiguous_qualified_names"])')
check "info --all-ambiguous lists every ambiguous name with a reason" "$namb" "$("$ksym" info -i "$tmp/k.ksym" --all-ambiguous | grep -c '^  ambiguous:   .* symbols): ')"
# Grouped by reason: a kallsyms index has one reason, so one group that
# counts every name.
check "info groups the ambiguous names by reason" "1" "$("$ksym" info -i "$tmp/k.ksym" | grep -c '^  ambiguous:   ')"
check "info's group counts every name" "$namb" "$("$ksym" info -i "$tmp/k.ksym" | sed -n 's/^  ambiguous:   \([0-9]*\) names .*/\1/p')"

# KASLR as an input: a static index (System.map) and the addresses of a
# kernel that moved by 0x2a400000.
grep -v "$(printf '\t')" "$tmp/kallsyms" > "$tmp/System.map"
"$ksym" build -q --system-map "$tmp/System.map" -o "$tmp/s.ksym"
moved=$(printf '%016x' $((0x$addr + 0x2a400000)))
out=$("$ksym" lookup -i "$tmp/s.ksym" --kaslr-offset 0x2a400000 "$moved")
check "lookup --kaslr-offset exit" 0 $?
case "$out" in "$moved $name+0x0/0x"*) echo "ok: lookup --kaslr-offset";; *) echo "FAIL: lookup --kaslr-offset: $out"; fail=1;; esac
"$ksym" lookup -i "$tmp/s.ksym" "$moved" >/dev/null
check "lookup of a moved address without the offset finds nothing" 1 $?
"$ksym" lookup -i "$tmp/s.ksym" --kaslr-offset zz "$moved" 2>"$tmp/err" >/dev/null
check "lookup --kaslr-offset bad value exit" 2 $?
printf ' [<%s>] %s+0x0/0x10\nKernel Offset: 0x2a400000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n' "$moved" "$name" |
  "$ksym" symbolize -i "$tmp/s.ksym" --stats >"$tmp/out" 2>"$tmp/err"
check "symbolize takes the oops's Kernel Offset" "<stdin>:2: KASLR offset 0x2a400000 (its \"Kernel Offset:\" line), applied to lines 1-2" "$(grep -o '<stdin>:2: KASLR.*' "$tmp/err")"
grep -q ": 1 resolved, 0 mismatched" "$tmp/err" || { echo "FAIL: symbolize with Kernel Offset: $(cat "$tmp/out" "$tmp/err")"; fail=1; }
printf ' [<%s>] %s+0x0/0x10\n' "$moved" "$name" |
  "$ksym" symbolize -i "$tmp/s.ksym" --kaslr-offset 2a400000 --stats >"$tmp/out" 2>"$tmp/err"
grep -q ": 1 resolved, 0 mismatched" "$tmp/err" || { echo "FAIL: symbolize --kaslr-offset: $(cat "$tmp/out" "$tmp/err")"; fail=1; }
# A crash dump's vmcoreinfo (the text `makedumpfile -g` saves, in the
# kernel's own format) gives the offset, checked against SYMBOL(_stext).
stext=$(awk '$3 == "_stext" {print $1; exit}' "$tmp/System.map")
printf 'OSRELEASE=6.1.0-test\nBUILD-ID=%040x\nSYMBOL(_stext)=%x\nKERNELOFFSET=2a400000\n' 0 \
  $((0x$stext + 0x2a400000)) > "$tmp/vmcoreinfo"
out=$("$ksym" lookup -i "$tmp/s.ksym" --vmcoreinfo "$tmp/vmcoreinfo" "$moved" 2>"$tmp/err")
check "lookup --vmcoreinfo exit" 0 $?
case "$out" in "$moved $name+0x0/0x"*) echo "ok: lookup --vmcoreinfo";; *) echo "FAIL: lookup --vmcoreinfo: $out"; fail=1;; esac
grep -q "KASLR offset 0x2a400000 (KERNELOFFSET; SYMBOL(_stext) agrees)" "$tmp/err" || { echo "FAIL: lookup --vmcoreinfo says nothing: $(cat "$tmp/err")"; fail=1; }
printf ' [<%s>] %s+0x0/0x10\n' "$moved" "$name" |
  "$ksym" symbolize -i "$tmp/s.ksym" --vmcoreinfo "$tmp/vmcoreinfo" --stats >"$tmp/out" 2>"$tmp/err"
grep -q ": 1 resolved, 0 mismatched" "$tmp/err" || { echo "FAIL: symbolize --vmcoreinfo: $(cat "$tmp/out" "$tmp/err")"; fail=1; }
sed 's/^KERNELOFFSET=.*/KERNELOFFSET=2a500000/' "$tmp/vmcoreinfo" > "$tmp/vmcoreinfo.bad"
"$ksym" lookup -i "$tmp/s.ksym" --vmcoreinfo "$tmp/vmcoreinfo.bad" "$moved" >/dev/null 2>"$tmp/err"
check "lookup --vmcoreinfo disagreeing with _stext exit" 2 $?
grep -q "not of this index's kernel" "$tmp/err" || { echo "FAIL: lookup --vmcoreinfo disagreement not said: $(cat "$tmp/err")"; fail=1; }

# lookup --all lists at most 256 symbols; 300 aliases at one address used
# to come back as 256 lines with no word about the rest.
{ echo "ffffffff81000000 T _text"
  for i in $(seq 1 300); do echo "ffffffff81001000 t alias_$i"; done
  echo "ffffffff81002000 T _etext"
} > "$tmp/aliases"
"$ksym" build -q --kallsyms "$tmp/aliases" -o "$tmp/aliases.ksym"
out=$("$ksym" lookup -i "$tmp/aliases.ksym" --all ffffffff81001000 2>"$tmp/err")
check "lookup --all cap: lines" 256 "$(wc -l <<< "$out")"
grep -q "300 symbols cover it; only the best 256 are listed" "$tmp/err" || { echo "FAIL: lookup --all cap not said: $(cat "$tmp/err")"; fail=1; }

"$ksym" frobnicate >/dev/null 2>&1
check "unknown command exit" 2 $?
"$ksym" lookup --help | grep -q "usage: ksym lookup"
check "help" 0 $?
# probe --format perf alone keeps the caveat of the all-formats view, on
# stderr: the one line on stdout is what a script captures.
"$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp/none" --blacklist "$tmp/none" \
  --format perf "$name" >"$tmp/out" 2>"$tmp/err"
check "probe --format perf exit" 0 $?
check "probe --format perf prints one line" 1 "$(wc -l < "$tmp/out")"
caveat=$("$ksym" probe -i "$tmp/k.ksym" --tracefs "$tmp/none" --blacklist "$tmp/none" "$name" \
  | sed -n 's/^perf: .*   # //p')
if [ -n "$caveat" ] && grep -qF "ksym: probe: perf: $caveat" "$tmp/err"; then
  echo "ok: probe --format keeps the caveat"
else
  echo "FAIL: probe --format perf dropped the caveat: '$caveat'"; cat "$tmp/err"; fail=1
fi

# An index rewritten in place under a long-running reader (`cp new idx`):
# the stream stops before answering from it, saying which lines may be
# wrong; one replaced by rename is read on as opened, said once.
head -200 "$tmp/kallsyms" > "$tmp/kallsyms.small"
"$ksym" build -q --kallsyms "$tmp/kallsyms.small" -o "$tmp/small.ksym"
for how in inplace rename; do
  cp "$tmp/k.ksym" "$tmp/w.ksym"
  rm -f "$tmp/fifo"; mkfifo "$tmp/fifo"
  "$ksym" symbolize -i "$tmp/w.ksym" < "$tmp/fifo" > "$tmp/wout" 2> "$tmp/werr" &
  pid=$!
  exec 7> "$tmp/fifo"
  echo " [<$addr>]" >&7
  for _ in $(seq 200); do [ -s "$tmp/wout" ] && break; sleep 0.05; done
  if [ "$how" = inplace ]; then
    cat "$tmp/small.ksym" > "$tmp/w.ksym"
  else
    cp "$tmp/small.ksym" "$tmp/w.new" && mv "$tmp/w.new" "$tmp/w.ksym"
  fi
  echo " [<$addr>]" >&7
  exec 7>&-
  wait $pid; rc=$?
  if [ "$how" = inplace ]; then
    check "symbolize stops on an index rewritten in place" 3 "$rc"
    check "symbolize answered only the line before" 1 "$(wc -l < "$tmp/wout")"
    grep -q "was rewritten in place while being read .*stopped before line 2" "$tmp/werr" \
      && echo "ok: symbolize says the index changed" \
      || { echo "FAIL: no change message"; cat "$tmp/werr"; fail=1; }
  else
    check "symbolize reads on after a rename" 0 "$rc"
    check "symbolize answered both lines" 2 "$(wc -l < "$tmp/wout")"
    check "symbolize says the index was replaced, once" 1 \
      "$(grep -c "was replaced on disk" "$tmp/werr")"
  fi
done
# The module list: a saved kallsyms places a module by its lines alone, and
# says the range is inferred; a static index has none and says why.
{ cat "$tmp/kallsyms"
  printf 'ffffffffc0a01000 t vfat_mount\t[vfat]\nffffffffc0a01200 T vfat_fill_super\t[vfat]\n'
  printf 'ffffffffc0b00000 t fat_flush\t[fat]\n'; } > "$tmp/kmod"
"$ksym" build -q --kallsyms "$tmp/kmod" -o "$tmp/m.ksym"
out=$("$ksym" modules -i "$tmp/m.ksym")
check "modules exit" 0 $?
check "modules lists each by name" "fat vfat" "$(echo "$out" | awk '{printf "%s%s", sep, $1; sep=" "}')"
check "modules says a kallsyms-only range is inferred" \
  "vfat 0xffffffffc0a01000-0xffffffffc0a01200 (range inferred from its symbols) build-id (unknown) symbols from kallsyms only, 0 sections" \
  "$(echo "$out" | grep '^vfat')"
check "modules --json" "vfat 0xffffffffc0a01000 False" \
  "$("$ksym" modules -i "$tmp/m.ksym" --json | python3 -c 'import json,sys
for l in sys.stdin:
  m = json.loads(l)
  if m["name"] == "vfat": print(m["name"], m["base"], m["symbols_from_ko"])')"
"$ksym" modules -i "$tmp/s.ksym" >"$tmp/out" 2>"$tmp/err"
check "modules of a static index exit" 0 $?
check "modules of a static index prints nothing" "" "$(cat "$tmp/out")"
check "modules of a static index says why" 1 "$(grep -c 'static index' "$tmp/err")"
# Source-line queries: FILE:LINE and FUNC:REL_LINE say why when the index
# has no line table (this one is of kallsyms alone), and kprobe's
# MOD:SYM is still read as a symbol query.
"$ksym" resolve -i "$tmp/k.ksym" 'fs/inode.c:12' >"$tmp/out" 2>"$tmp/err"
check "resolve FILE:LINE without a line table exit" 1 $?
check "resolve FILE:LINE without a line table prints nothing" "" "$(cat "$tmp/out")"
check "resolve FILE:LINE without a line table says why" 1 \
  "$(grep -c 'resolve: the index has no line table' "$tmp/err")"
out=$("$ksym" resolve -i "$tmp/k.ksym" --json "$name:3")
case "$out" in
  '{"query":"'"$name"':3","line_query":{"file":null,"function":"'"$name"'","line":3},'*'"candidates":[],'*'"missing":"the index has no line table'*)
    echo "ok: resolve FUNC:REL_LINE json";;
  *) echo "FAIL: resolve FUNC:REL_LINE json: $out"; fail=1;;
esac
"$ksym" probe -i "$tmp/k.ksym" --format kprobe 'fs/inode.c:12' >"$tmp/out" 2>"$tmp/err"
check "probe FILE:LINE without a line table exit" 1 $?
check "probe FILE:LINE without a line table says why" 1 \
  "$(grep -c 'probe: the index has no line table' "$tmp/err")"
"$ksym" resolve -i "$tmp/k.ksym" "fs:$name" >"$tmp/out" 2>"$tmp/err"
check "MOD:SYM is no line query" 0 "$(grep -c 'line table' "$tmp/err")"

exit $fail
