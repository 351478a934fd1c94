#!/usr/bin/env bash
# `ksym symbolize --lines` on an oops of the Debian 6.1 cloud kernel
# (KSYM_DEBIAN_KERNEL, see tools/test.sh) whose Call Trace holds copies of
# duplicated names that nm does not list first, the copy
# scripts/decode_stacktrace.sh decodes for any frame of that name, and a
# loadable-module frame per debug .ko with a duplicated name.
# bench/oops_gen.py writes the oops from the index, so nothing here is of
# one package version. Properties:
#   - every core-kernel frame gets ` (FILE:LINE ...)`, equal to
#     `llvm-symbolizer --inlines` at the frame's own address (innermost
#     first, the build's path prefix stripped as decode_stacktrace.sh
#     strips it). Not binutils addr2line, which decode_stacktrace.sh runs:
#     addr2line 2.40 names the compile unit's file for some out-of-line
#     copies of header inlines (bpf_dispatcher_nop_func: net/core/filter.c
#     for include/linux/bpf.h), where llvm-symbolizer and eu-addr2line
#     agree with the DWARF;
#   - the oops has a duplicated-name frame whose first nm copy decodes to
#     another file:line, and ksym's answer is never that one;
#   - `--decode-stacktrace` prints each frame line in the script's shape
#     with the same file:lines, and echoes the other lines;
#   - a loadable-module frame gets no file:line (the index has none for
#     modules yet), and says why.
#   debian_oops_lines_test.sh KSYM OOPS_GEN
set -euo pipefail
ksym=$1 gen=$2
if [ -z "${KSYM_DEBIAN_KERNEL:-}" ]; then
  echo "SKIP: KSYM_DEBIAN_KERNEL is not set:" \
    "KSYM_DEBIAN_KERNEL=\$(tools/fetch-debian-kernel.sh)"
  exit 0
fi
k=$KSYM_DEBIAN_KERNEL
vmlinux=$(ls "$k"/usr/lib/debug/boot/vmlinux-*)
release=${vmlinux##*/vmlinux-}
w=${TEST_TMPDIR:-$(mktemp -d)}
"$ksym" build -q --vmlinux "$vmlinux" \
  --system-map "$k/usr/lib/debug/boot/System.map-$release" \
  --modules-dir "$k/lib/modules/$release" -o "$w/i.ksym"
modules=()
while IFS= read -r ko; do
  name=$(basename "$ko" .ko)
  modules+=(--module "${name//-/_}=$ko")
done < <(find "$k/usr/lib/debug/lib/modules/$release" -name '*.ko' | sort)
python3 "$gen" "$ksym" "$w/i.ksym" "$vmlinux" --frames 30 --seed 18 \
  --truth "$w/truth" "${modules[@]}" > "$w/oops"
"$ksym" symbolize --lines -i "$w/i.ksym" < "$w/oops" > "$w/out"
"$ksym" symbolize --decode-stacktrace -i "$w/i.ksym" < "$w/oops" > "$w/ds"
cat "$w/out"

# --decode-stacktrace: the script's shape, with --lines' answer per frame:
# `[ TIMESTAMP] NAME (FILE:LINE ...) MOD` (a trailing space without MOD),
# or the stripped frame and MOD followed by the reason it has no lines.
python3 - "$w/oops" "$w/out" "$w/ds" <<'PY'
import re, sys
oops, out, ds = (open(p).read().splitlines() for p in sys.argv[1:])
assert len(ds) == len(oops), (len(ds), len(oops))
checked = 0
for o, l, d in zip(oops, out, ds):
    m = re.fullmatch(r"\[\s*([0-9.]+)\]\s+(\S+)\+0x[0-9a-f]+/0x[0-9a-f]+"
                     r"(?: \[(\S+)\])?", o)
    if not m:
        assert d == o.strip(), (o, d)  # echoed as bash's read leaves it
        continue
    ts, name, mod = "[%13s" % (m.group(1) + "]"), m.group(2), m.group(3) or ""
    code = re.search(r"\+0x[0-9a-f]+/0x[0-9a-f]+ \(([^)]*:[0-9]+[^)]*)\)", l)
    if code:
        want = "%s %s (%s) %s" % (ts, name, code.group(1), mod)
        assert d == want, "\n%s\n%s" % (d, want)
    else:
        frame = m.group(0)[m.start(2) - m.start(0):].split(" [")[0]
        assert d.startswith("%s %s" % (ts, frame)), (d, frame)
        assert re.search(r"\((not placed|no source lines): ", d), d
    checked += 1
assert checked >= 20, checked
print("--decode-stacktrace: %d frame lines in the script's shape" % checked)
PY

python3 - "$vmlinux" "$w/truth" "$w/out" <<'PY'
import re, subprocess, sys
vmlinux, truth_path, out_path = sys.argv[1:]
truth = [l.split() for l in open(truth_path)]
frames = [l for l in open(out_path)
          if re.search(r"\S+\+0x[0-9a-f]+/0x[0-9a-f]+", l)]
assert len(frames) == len(truth), (len(frames), len(truth))

def symbolize(addresses):
    """address -> its file:lines, innermost first, as llvm-symbolizer
    --inlines prints them (GNU style: FUNCTION, FILE:LINE pairs)."""
    out = subprocess.run(
        ["llvm-symbolizer", "--inlines", "--output-style=GNU", "--addresses",
         "--obj=" + vmlinux] + addresses,
        capture_output=True, text=True, check=True).stdout
    result, cur, n = {}, None, 0
    for line in out.splitlines():
        if re.fullmatch(r"0x[0-9a-f]+", line):
            cur, n = int(line, 16), 0
            result[cur] = []
        elif line:
            n += 1
            if n % 2 == 0:
                result[cur].append(
                    re.sub(r" \(discriminator \d+\)$", "", line))
    return result

# The build's path prefix, found as decode_stacktrace.sh finds it: the
# directory above init/main.c in kernel_init's file.
nm = subprocess.run(["nm", vmlinux], capture_output=True, text=True,
                    check=True).stdout
ki = next(l.split()[0] for l in nm.splitlines() if l.endswith(" kernel_init"))
base = symbolize(["0x" + ki])[int(ki, 16)][0].rsplit("/init/main.c:", 1)[0]
assert base, "no path prefix"

core = [(t, f) for t, f in zip(truth, frames) if t[3] == "-"]
lines = symbolize([t[1] for t, _ in core] + [t[2] for t, _ in core])
strip = lambda ls: [l[len(base) + 1:] if l.startswith(base + "/") else l
                    for l in ls]
failures, other_copy = [], 0
for (name, addr, first, _), frame in core:
    m = re.search(re.escape(name) + r"\+0x[0-9a-f]+/0x[0-9a-f]+ \(([^)]*)\)",
                  frame)
    ours = m.group(1).split() if m else None
    right = strip(lines[int(addr, 16)])
    if ours != right:
        failures.append("%s at %s: ksym %s, llvm-symbolizer %s" %
                        (name, addr, ours, right))
    wrong = strip(lines[int(first, 16)])
    if addr != first and wrong != right:
        other_copy += 1
        if ours == wrong:
            failures.append("%s: ksym decoded the first copy" % name)
for (name, addr, first, mod), frame in zip(truth, frames):
    if mod != "-" and not re.search(r"\((not placed|no source lines): ", frame):
        failures.append("module frame without a reason: " + frame.strip())
print("%d core frames, %d of them a copy whose first nm copy decodes "
      "elsewhere, %d module frames" %
      (len(core), other_copy, len(truth) - len(core)))
assert len(core) >= 20, "too few core-kernel frames"
assert other_copy >= 1, "no duplicated-name frame of another copy"
if failures:
    sys.exit("\n".join(failures))
print("PASS")
PY
