#!/usr/bin/env python3
"""Compares ksym's DWARF line reader with `llvm-symbolizer --inlines`.

Usage: lines_vs_llvm.py [--section SEC] [--peer addr2line] [--keep DIR]
                        LINES_DUMP ELF N SEED

Draws N random addresses inside functions of ELF (a vmlinux, or a debug
.ko whose SEC section, .text by default, is sampled with section-relative
offsets): a function symbol (`nm -S`, type t/T/W with a size) uniformly,
then an offset uniformly inside its size. Same inputs, same addresses.
Runs `LINES_DUMP --symbolize ELF [SEC]` (//symbolizer/sources/elf:lines_dump)
and `llvm-symbolizer --inlines` on them, prints CPU seconds and peak RSS of
each (GNU time), and compares the answers frame by frame: the innermost
function and file:line:column, then every inlined caller and call site.
Differences are sorted into kinds and listed with an example each.

A .ko needs `--peer addr2line` (binutils `addr2line -i -f -j SEC`):
llvm-symbolizer takes a plain address in a relocatable file as an offset
in any of its sections and mixes their symbols and line rows. addr2line
prints no columns, so columns are left out of that comparison.
"""

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile


def functions(elf, section):
    out = subprocess.run(["nm", "-S", "--defined-only", elf],
                         capture_output=True, text=True, check=True).stdout
    sec_of = {}
    if section:
        # In a .ko, nm's value is the offset in the symbol's section; keep
        # the symbols of SEC (readelf names each symbol's section index).
        rd = subprocess.run(["readelf", "-W", "-S", "-s", elf],
                            capture_output=True, text=True, check=True).stdout
        index = None
        for line in rd.splitlines():
            f = line.split()
            if len(f) > 2 and f[0] == "[" and f[2] == section:
                index = f[1].rstrip("]")
            elif len(f) > 1 and f[0].startswith("[") and f[1] == section:
                index = f[0].strip("[]")
            if len(f) == 8 and f[3] == "FUNC" and f[6] == index:
                sec_of[(int(f[1], 16), f[7])] = True
    seen = set()
    result = []
    for line in out.splitlines():
        f = line.split()
        if len(f) != 4 or f[2] not in "tTW":
            continue
        start, size = int(f[0], 16), int(f[1], 16)
        if size == 0 or (section and (start, f[3]) not in sec_of):
            continue
        if (start, size) in seen:
            continue
        seen.add((start, size))
        result.append((start, size, f[3]))
    return sorted(result)


def timed(cmd, stdin_path, out_path):
    with open(stdin_path) as i, open(out_path, "w") as o:
        p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M"] + cmd,
                           stdin=i, stdout=o, stderr=subprocess.PIPE,
                           text=True)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr}")
    user, system, rss = p.stderr.strip().splitlines()[-1].split()
    return float(user) + float(system), int(rss) // 1024


def blocks(path):
    with open(path) as f:
        text = f.read()
    result = []
    for block in text.split("\n\n"):
        lines = [l for l in block.split("\n") if l]
        if lines:
            result.append([(lines[i], lines[i + 1])
                           for i in range(0, len(lines) - 1, 2)])
    return result


def addr2line_blocks(path):
    """`addr2line -a` answers: "0xADDR" lines start each block."""
    result = []
    with open(path) as f:
        for line in f.read().split("\n"):
            if re.fullmatch(r"0x[0-9a-f]+", line):
                result.append([])
            elif line and result:
                result[-1].append(line)
    return [[(b[i], b[i + 1]) for i in range(0, len(b) - 1, 2)]
            for b in result]


def without_columns(frames):
    """FILE:LINE:COL and addr2line's "FILE:LINE (discriminator N)" as
    FILE:LINE."""
    out = []
    for function, location in frames:
        location = re.sub(r" \(discriminator \d+\)$", "", location)
        parts = location.rsplit(":", 2)
        if len(parts) == 3 and parts[2].isdigit() and parts[1].isdigit():
            location = parts[0] + ":" + parts[1]
        out.append((function, location))
    return out


def kind(ours, theirs):
    if [f for f, _ in ours] != [f for f, _ in theirs]:
        if len(ours) != len(theirs):
            return "inline depth differs"
        return "function names differ"
    if ours[0][1] != theirs[0][1]:
        o, t = ours[0][1].rsplit(":", 2), theirs[0][1].rsplit(":", 2)
        if o[0] != t[0]:
            return "innermost file differs"
        if len(o) < 3 or len(t) < 3 or o[1] != t[1]:
            return "innermost line differs"
        return "innermost column differs"
    return "call site differs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--section", default="")
    ap.add_argument("--keep")
    ap.add_argument("--peer", choices=["llvm", "addr2line"], default="llvm")
    ap.add_argument("lines_dump")
    ap.add_argument("elf")
    ap.add_argument("n", type=int)
    ap.add_argument("seed", type=int)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    funcs = functions(a.elf, a.section)
    picks = [rng.choice(funcs) for _ in range(a.n)]
    addrs = [s + rng.randrange(z) for s, z, _ in picks]
    work = a.keep or tempfile.mkdtemp(prefix="lines_vs_llvm.")
    os.makedirs(work, exist_ok=True)
    addr_path = os.path.join(work, "addrs.txt")
    with open(addr_path, "w") as f:
        f.write("".join(f"0x{x:x}\n" for x in addrs))
    ours_cmd = [a.lines_dump, "--symbolize", a.elf] + (
        [a.section] if a.section else [])
    theirs_cmd = ["llvm-symbolizer", "--inlines", "--functions=linkage",
                  "--obj=" + a.elf]
    if a.peer == "addr2line":
        theirs_cmd = ["addr2line", "-a", "-i", "-f", "-e", a.elf] + (
            ["-j", a.section] if a.section else [])
    # Warm the page cache so neither pays the first read.
    subprocess.run(["cat", a.elf], stdout=subprocess.DEVNULL, check=True)
    ours_cpu, ours_rss = timed(ours_cmd, addr_path,
                               os.path.join(work, "ksym.txt"))
    theirs_cpu, theirs_rss = timed(theirs_cmd, addr_path,
                                   os.path.join(work, "llvm.txt"))
    ours = blocks(os.path.join(work, "ksym.txt"))
    if a.peer == "addr2line":
        theirs = addr2line_blocks(os.path.join(work, "llvm.txt"))
        ours = [without_columns(o) for o in ours]
        theirs = [without_columns(t) for t in theirs]
    else:
        theirs = blocks(os.path.join(work, "llvm.txt"))
    if len(ours) != len(addrs) or len(theirs) != len(addrs):
        sys.exit(f"answers: ksym {len(ours)}, llvm {len(theirs)}, "
                 f"addresses {len(addrs)}")
    kinds = {}
    same = 0
    same_innermost = 0
    renamed = {}
    for x, o, t in zip(addrs, ours, theirs):
        # llvm-symbolizer names the outermost frame after the ELF symbol
        # (--functions=linkage with the symbol table): a GCC clone keeps its
        # suffix (DWARF's "f" is the symbol "f.cold" / "f.isra.0"), code
        # with no DW_TAG_subprogram gets a name where DWARF has none ("??"),
        # and an alias or ICF-merged body is named after the symbol at the
        # address, not after the one DWARF describes.
        if (o and t and o != t and len(o) == len(t) and o[:-1] == t[:-1]
                and o[-1][1] == t[-1][1]):
            ours_name, llvm_name = o[-1][0], t[-1][0]
            if llvm_name.startswith(ours_name + "."):
                why = "clone suffix (f.cold, f.isra.0, f.part.0)"
            elif ours_name == "??":
                why = "no DW_TAG_subprogram covers the address"
            else:
                why = "alias or ICF-merged body"
            renamed.setdefault(why, []).append((x, ours_name, llvm_name))
            t = o
        if o == t:
            same += 1
            same_innermost += 1
            continue
        if o[0] == t[0]:
            same_innermost += 1
        k = kind(o, t)
        kinds.setdefault(k, []).append((x, o, t))
    print(f"{a.elf} ({a.section or 'linked'}, peer {a.peer}), "
          f"{len(addrs)} addresses "
          f"inside {len(funcs)} functions, seed {a.seed}")
    print(f"  ksym lines_dump: {ours_cpu:.2f} s CPU, {ours_rss} MB peak RSS")
    print(f"  {theirs_cmd[0]}: {theirs_cpu:.2f} s CPU, {theirs_rss} MB peak "
          f"RSS")
    inlined = sum(1 for t in theirs if len(t) > 1)
    no_line = sum(1 for t in theirs if t and t[0][1].startswith("??:0"))
    print(f"  peer's answers with inlined frames: {inlined}, deepest "
          f"chain {max(len(t) for t in theirs)} frames; without a line: "
          f"{no_line}")
    print(f"  identical answers (all frames): {same} "
          f"({100.0 * same / len(addrs):.2f}%)")
    for why, cases in sorted(renamed.items(), key=lambda kv: -len(kv[1])):
        x, o, t = cases[0]
        print(f"    of which the peer names the outermost frame after the ELF "
              f"symbol, {why}: {len(cases)}, e.g. 0x{x:x} {o} / {t}")
    print(f"  same innermost frame: {same_innermost} "
          f"({100.0 * same_innermost / len(addrs):.2f}%)")
    for k, cases in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
        x, o, t = cases[0]
        print(f"  {k}: {len(cases)}, e.g. 0x{x:x}\n    ksym: {o}\n"
              f"    llvm: {t}")
    print(f"  outputs in {work}")


if __name__ == "__main__":
    main()
