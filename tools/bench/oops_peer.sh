#!/usr/bin/env bash
# `ksym symbolize --lines` against the kernel's scripts/decode_stacktrace.sh
# (run as it ships, with binutils addr2line) on one generated oops
# (oops_gen.py: ~30 frames, duplicated names on copies nm does not list
# first, a frame per debug .ko with a duplicated name). Prints each frame
# as both decode it and as llvm-symbolizer --inlines decodes the frame's own
# address, marks where each is wrong, then whole-process CPU (user+sys),
# wall and peak RSS from GNU time over RUNS runs of each, and the ratios.
#
#   tools/bench/oops_peer.sh KSYM KERNEL_DIR DECODE_STACKTRACE_SH [RUNS]
#
# KSYM: bazel-bin/tools/ksym; KERNEL_DIR: what tools/fetch-debian-kernel.sh
# prints; DECODE_STACKTRACE_SH: scripts/decode_stacktrace.sh of the same
# kernel's source, e.g. from Debian's linux-source-6.1:
#   apt-get download linux-source-6.1
#   dpkg-deb --fsys-tarfile linux-source-6.1_*.deb |
#     tar -xO ./usr/src/linux-source-6.1.tar.xz |
#     tar -xJ linux-source-6.1/scripts/decode_stacktrace.sh
# ksym runs on an index built beforehand (its build is timed once too);
# decode_stacktrace.sh gets the vmlinux, `auto` base path and the debug
# modules directory.
set -euo pipefail
ksym=$1 k=$2 decode=$3 runs=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
vmlinux=$(ls "$k"/usr/lib/debug/boot/vmlinux-*)
release=${vmlinux##*/vmlinux-}
debugmods=$k/usr/lib/debug/lib/modules/$release
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT

/usr/bin/time -f "%e %U %S %M" -o "$w/build.t" "$ksym" build -q \
  --vmlinux "$vmlinux" --system-map "$k/usr/lib/debug/boot/System.map-$release" \
  --modules-dir "$k/lib/modules/$release" -o "$w/i.ksym"
modules=()
while IFS= read -r ko; do
  name=$(basename "$ko" .ko)
  modules+=(--module "${name//-/_}=$ko")
done < <(find "$debugmods" -name '*.ko' | sort)
python3 "$here/oops_gen.py" "$ksym" "$w/i.ksym" "$vmlinux" --frames 30 \
  --seed 18 --truth "$w/truth" "${modules[@]}" > "$w/oops"
cat "$vmlinux" > /dev/null
"$ksym" symbolize --decode-stacktrace -i "$w/i.ksym" < "$w/oops" > "$w/ksym.ds"

for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %S %M" -a -o "$w/peer.t" \
    bash "$decode" "$vmlinux" auto "$debugmods" < "$w/oops" > "$w/peer"
  /usr/bin/time -f "%e %U %S %M" -a -o "$w/ksym.t" \
    "$ksym" symbolize --lines -i "$w/i.ksym" < "$w/oops" > "$w/ksym"
done

python3 - "$vmlinux" "$w" <<'PY'
import re, statistics, subprocess, sys
vmlinux, w = sys.argv[1:]
truth = [l.split() for l in open(w + "/truth")]
def between(path):
    out, on = [], False
    for l in open(path):
        if "</TASK>" in l: on = False
        if on: out.append(l.rstrip("\n"))
        if "<TASK>" in l and "</TASK>" not in l: on = True
    return out
peer, ours = between(w + "/peer"), between(w + "/ksym")
core = [t for t in truth if t[3] == "-"]
sym = subprocess.run(["llvm-symbolizer", "--inlines", "--output-style=GNU",
                      "--addresses", "--obj=" + vmlinux] + [t[1] for t in core],
                     capture_output=True, text=True, check=True).stdout
ref, cur, n = {}, None, 0
for l in sym.splitlines():
    if re.fullmatch(r"0x[0-9a-f]+", l): cur, n = l, 0; ref[cur] = []
    elif l:
        n += 1
        if n % 2 == 0:
            ref[cur].append(re.sub(r" \(discriminator \d+\)$", "",
                                   l.split("build_amd64_none_cloud-amd64/")[-1]))
def paren(s):
    m = re.search(r"\((\S+:[0-9?][^)]*)\)",
                  re.sub(r" \(discriminator \d+\)", "", s))
    return m.group(1) if m else None
print("| frame | decode_stacktrace.sh | ksym symbolize --lines | llvm-symbolizer at the frame's address |")
print("|---|---|---|---|")
wrong_peer = wrong_ours = 0
for t, p, o in zip(truth, peer, ours):
    name, addr, first, mod = t
    frame = re.search(r"\S+\+0x[0-9a-f]+/0x[0-9a-f]+( \[\S+\])?", o).group(0)
    r = " ".join(ref.get(addr, [])) if mod == "-" else "(module: not checked)"
    pp, oo = paren(p) or "-", paren(o) or re.sub(r".*?\((not placed|no source lines)(: [^)]*)\).*", r"\1", o)
    mp = "" if mod != "-" and addr == first or pp == r else " **wrong**"
    mo = "" if mod != "-" or oo == r else " **wrong**"
    if mod != "-" and addr != first: mp = " **other copy**"
    wrong_peer += bool(mp); wrong_ours += bool(mo)
    dup = " (dup)" if addr != first else ""
    print("| `%s`%s | %s%s | %s%s | %s |" % (frame, dup, pp, mp, oo, mo, r))
print("\n%d frames: decode_stacktrace.sh wrong on %d, ksym on %d\n" %
      (len(truth), wrong_peer, wrong_ours))
def rows(f):
    return [list(map(float, l.split())) for l in open(w + "/" + f)]
for label, f in (("decode_stacktrace.sh", "peer.t"),
                 ("ksym symbolize --lines", "ksym.t")):
    r = rows(f)
    print("%s: %d runs, median wall %.3f s, CPU %.3f s, peak RSS %d KiB" % (
        label, len(r), statistics.median(x[0] for x in r),
        statistics.median(x[1] + x[2] for x in r),
        statistics.median(x[3] for x in r)))
p, k = rows("peer.t"), rows("ksym.t")
cpu = lambda r: statistics.median(x[1] + x[2] for x in r)
wall = lambda r: statistics.median(x[0] for x in r)
print("ratio decode_stacktrace.sh / ksym: CPU %.0fx, wall %.0fx "
      "(GNU time's 10 ms resolution: ksym's CPU clamped to 0.01 s)" % (
      cpu(p) / max(cpu(k), 0.01), wall(p) / max(wall(k), 0.01)))
# `symbolize --decode-stacktrace` against the script's own output, line by
# line: every difference is classified.
peer_all = open(w + "/peer").read().splitlines()
ds_all = open(w + "/ksym.ds").read().splitlines()
oops_all = open(w + "/oops").read().splitlines()
by_name = {t[0]: t for t in truth}
kinds, j = {}, 0
for line in oops_all:
    o = ds_all.pop(0)
    p = peer_all[0] if peer_all else None
    if re.search(r"PID: \d+ Comm:", line) and p != o:
        kind = "line the script swallows (debuginfod-find installed)"
    else:
        peer_all.pop(0)
        m = re.search(r"(\S+)\+0x[0-9a-f]+/0x[0-9a-f]+", line)
        t = by_name.get(m.group(1)) if m else None
        if p == o:
            kind = "identical"
        elif re.sub(r" \(discriminator \d+\)", "", p) == o:
            kind = "binutils' (discriminator N), which ksym does not print"
        elif "(not placed: " in o or "(no source lines: " in o:
            kind = "frame ksym cannot place or has no lines for, said"
        elif t and t[1] != t[2]:
            kind = "duplicated name: the script decodes the first nm copy"
        else:
            kind = "other (see llvm-symbolizer column above)"
    kinds.setdefault(kind, []).append((p, o))
print("\nksym symbolize --decode-stacktrace against the script, %d lines:" %
      len(oops_all))
for kind, pairs in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
    print("  %3d %s" % (len(pairs), kind))
    if kind.startswith("other"):
        for p, o in pairs:
            print("      script: %s\n      ksym:   %s" % (p, o))
b = rows("build.t")[0]
print("ksym build (once, not in the ratio): wall %.2f s, CPU %.2f s, RSS %d KiB"
      % (b[0], b[1] + b[2], b[3]))
PY
