#!/usr/bin/env python3
"""Turns peers.sh's measurements and tool outputs into a markdown report.

Usage: report.py WORKDIR N DATE MACHINE PACKAGE VMLINUX COMMAND
                 LLVM_VER BINUTILS_VER ELFUTILS_VER DRGN_VER PERF_VER

WORKDIR/results.tsv has one measurement per line:
    key  addresses  wall_s  user_s  sys_s  max_rss_kb
e.g. `ksym_lookup	100000	0.214	0.150	0.060	8820`. A key measured on
fewer than N addresses is extrapolated to N: linearly through its
`KEY@small` run when there is one, else proportionally.
"""

import os
import re
import sys


class Run:
    def __init__(self, count, wall, cpu, rss_kb, estimated=False):
        self.count, self.wall, self.cpu, self.rss_kb = count, wall, cpu, rss_kb
        self.estimated = estimated


def load_runs(path, n):
    raw = {}
    with open(path) as f:
        for line in f:
            key, count, wall, user, sys_, rss = line.rstrip("\n").split("\t")
            raw[key] = (int(count), float(wall), float(user) + float(sys_), int(rss))
    runs = {}
    for key, (count, wall, cpu, rss) in raw.items():
        if key.endswith("@small"):
            continue
        if count == 0 or count >= n:
            runs[key] = Run(count, wall, cpu, rss)
        elif key + "@small" in raw:
            c0, w0, p0, _ = raw[key + "@small"]
            scale = (n - count) / (count - c0)
            runs[key] = Run(n, wall + (wall - w0) * scale, cpu + (cpu - p0) * scale,
                            rss, estimated=True)
        else:
            runs[key] = Run(n, wall * n / count, cpu * n / count, rss, estimated=True)
    return runs


def sum_runs(a, b):
    return Run(max(a.count, b.count), a.wall + b.wall, a.cpu + b.cpu,
               max(a.rss_kb, b.rss_kb), a.estimated or b.estimated)


def secs(x, est):
    s = "%.3f" % x if x < 1 else "%.2f" % x if x < 10 else "%.1f" % x if x < 100 else "%.0f" % x
    return ("≈" if est else "") + s


def mib(kb):
    return "%.0f" % (kb / 1024) if kb else "–"


def ratio(a, b):
    if not a or not b:
        return "–"
    r = a / b
    return "%.2f" % r if r < 10 else "%.0f" % r


def ratios(run, base):
    return "%s / %s / %s" % (ratio(run.wall, base.wall), ratio(run.cpu, base.cpu),
                             ratio(run.rss_kb, base.rss_kb))


# ---- outputs -> names

def read_ksym(path):
    """[(addr, name, start, size)] from `ADDR name+0xOFF/0xLEN ...` lines (LEN: the distance to the next symbol, as %pS prints it)."""
    out = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            addr = int(fields[0], 16)
            m = re.match(r"(.*)\+0x([0-9a-f]+)/0x([0-9a-f]+)$", fields[1])
            if m:
                out.append((addr, m.group(1), addr - int(m.group(2), 16),
                            int(m.group(3), 16)))
            else:
                out.append((addr, None, None, None))
    return out


def llvm_blocks(path):
    with open(path) as f:
        text = f.read()
    return [b.split("\n") for b in text.split("\n\n") if b.strip()]


def read_llvm_outermost(path):
    """The last frame's function of each --inlines block (None for ??)."""
    out = []
    for lines in llvm_blocks(path):
        name = lines[-2] if len(lines) >= 2 else "??"
        out.append(None if name == "??" else name)
    return out


def read_llvm_data(path):
    """(name, start, size) of each DATA block (name None for ??)."""
    out = []
    for lines in llvm_blocks(path):
        start, size = (int(x) for x in lines[1].split())
        out.append((None if lines[0] == "??" else lines[0], start, size))
    return out


CLONE = re.compile(r"(\.(constprop|isra|part|cold)(\.\d+)?)+$")


COLUMNS = [  # key, heading, counts as agreement, note (None: needs none)
    ("same", "same name", True, None),
    ("clone", "GCC clone", True,
     "GCC clone: the same function, ksym `f.constprop.0`, DWARF `f`."),
    ("alias", "alias", True, "alias: another name for the same address."),
    ("both_none", "both `??`", True,
     "both `??`: the address is in the padding past a function's ELF size."),
    ("nested", "nested", False,
     "nested: one names a label inside an assembly routine (e.g. `nmi_no_fsgsbase` "
     "in `asm_exc_nmi`), the other the enclosing routine whose ELF size covers the "
     "address; kallsyms and perf name the label."),
    ("weak", "dead `__weak`", False,
     "dead `__weak`: the address lies in the leftover body of a `__weak` function "
     "that a strong definition overrode (`sched_clock`, `module_alloc`, ...): DWARF "
     "still describes it, the symbol table has no symbol there."),
    ("peer_none", "only peer `??`", False,
     "only peer `??`: ksym names a symbol the peer does not see covering the "
     "address, mostly padding past a function's ELF size, which kallsyms and perf "
     "(and ksym without ELF sizes, from System.map) give to the preceding symbol."),
    ("ksym_none", "only ksym `??`", False, None),
    ("differ", "differ", False, None),
]


def classify(ksym, ref, clones):
    """Counts how each peer answer relates to ksym's answer for the address."""
    counts = dict((key, 0) for key, _, _, _ in COLUMNS)
    counts["both_named"] = 0
    examples = {"differ": [], "ksym_none": [], "peer_none": []}
    for (addr, name, start, size), (rname, rstart, rsize, no_symbol) in zip(ksym, ref):
        if rname is None:
            kind = "both_none" if name is None else "peer_none"
        elif rname == name:
            kind = "same"
        elif clones and name is not None and CLONE.sub("", name) == rname:
            kind = "clone"
        elif no_symbol:
            kind = "weak"
        elif name is None:
            kind = "ksym_none"
        elif rstart is not None and rstart == start:
            kind = "alias"
        elif rstart is not None and ((rstart < start and addr < rstart + rsize) or
                                     (start < rstart and addr < start + size)):
            kind = "nested"
        else:
            kind = "differ"
        if kind in examples:
            examples[kind].append("`%x` ksym `%s`, peer `%s`"
                                  % (addr, name or "??", rname or "??"))
        counts[kind] += 1
        counts["both_named"] += name is not None and rname is not None
    return counts, examples


def agreement(ksym, llvm_fn, llvm_data, drgn):
    n = len(ksym)
    lines = ["ksym named %d of %d addresses." % (sum(1 for k in ksym if k[1]), n)]
    peers = []
    if llvm_fn is not None and llvm_data is not None and len(llvm_fn) == len(llvm_data) == n:
        # --inlines gives no start address; take it from the DATA answer
        # when that names the same symbol.
        ref = [(fn, d[1], d[2], False) if fn == d[0] else (fn, None, None, d[0] is None)
               for fn, d in zip(llvm_fn, llvm_data)]
        peers.append(("llvm-symbolizer `--functions=linkage --inlines`, outermost frame",
                      ref, True))
    if llvm_data is not None and len(llvm_data) == n:
        peers.append(("llvm-symbolizer `DATA` (symbol table)",
                      [d + (False,) for d in llvm_data], False))
    if drgn is not None and len(drgn) == n:
        peers.append(("drgn `prog.symbol()` (elfutils, symbol table)",
                      [d + (False,) for d in drgn], False))
    results = [(label, classify(ksym, ref, clones)) for label, ref, clones in peers]
    shown = [col for col in COLUMNS
             if col[0] == "differ" or any(c[col[0]] for _, (c, _) in results)]
    lines += ["", "| compared with | names agree where both name a symbol | agree overall | "
              "%s |" % " | ".join(h for _, h, _, _ in shown),
              "|---|--:|--:|" + "--:|" * len(shown)]
    examples_lines = []
    for label, (c, examples) in results:
        agree = sum(c[key] for key, _, ok, _ in COLUMNS if ok)
        both_named = c["both_named"]
        agree_named = agree - c["both_none"]
        lines.append("| %s | **%d of %d (%.2f%%)** | %d of %d (%.2f%%) | %s |"
                     % (label, agree_named, both_named, 100.0 * agree_named / both_named,
                        agree, n, 100.0 * agree / n,
                        " | ".join(str(c[key]) for key, _, _, _ in shown)))
        for kind, found in sorted(examples.items()):
            if found and (len(found) <= 20 or kind in ("differ", "ksym_none")):
                examples_lines.append("- %s, %s: %s" % (
                    dict((k, h) for k, h, _, _ in COLUMNS)[kind], label,
                    ", ".join(found[:5])))
    lines += ["", "agree = %s. %s" % (
        ", ".join(h for key, h, ok, _ in shown if ok),
        " ".join(note for key, _, _, note in shown if note))] + examples_lines
    return lines


def read_drgn(path):
    """[(name, start, size)]: drgn_symbolize.py prints ksym's line format."""
    return [row[1:] for row in read_ksym(path)]


def main():
    if len(sys.argv) != 13:
        sys.exit(__doc__.strip().splitlines()[2])
    (w, n, date, machine, package, vmlinux, command,
     v_llvm, v_binutils, v_elfutils, v_drgn, v_perf) = sys.argv[1:]
    n = int(n)
    runs = load_runs(os.path.join(w, "results.tsv"), n)
    with open(os.path.join(w, "build_input")) as f:
        build_input = f.read().strip()
    with open(os.path.join(w, "build_args")) as f:
        build_args = f.read().strip()
    release = vmlinux[len("vmlinux-"):]

    def short(args):
        """Paths as file names without the release, for the table."""
        out = []
        for arg in args.split():
            if arg.startswith("/"):
                parent, base = os.path.split(arg.rstrip("/"))
                arg = "lib/modules/RELEASE" if base == release else base
                arg = arg.replace("-" + release, "") if release else arg
            out.append(arg)
        return " ".join(out)


    if "gsym_convert" in runs and "gsym_lookup" in runs:
        runs["gsym_total"] = sum_runs(runs["gsym_convert"], runs["gsym_lookup"])
    a, b = runs["ksym_lookup"], runs["ksym_build_lookup"]

    p = print
    p("### ksym vs peers: symbolizing %d random text addresses" % n)
    p()
    p("%s, %s; vmlinux `%s`; %s. Produced by `%s` (%s UTC)."
      % (package, "index from " + build_input, vmlinux, machine, command, date))
    p()
    p("Same addresses (uniform over the core kernel's t/T symbols of System.map, "
      "then uniform within each symbol up to the next one; fixed seed), same run, "
      "vmlinux in the page cache. Wall from the clock, CPU = user+sys and peak RSS "
      "from GNU time. Ratios are tool ÷ ksym (wall / CPU / RSS): against ksym's "
      "lookups on an existing index (A) and against ksym building its index and "
      "then looking up (B). The DWARF tools (llvm-symbolizer, addr2line, "
      "eu-addr2line, llvm-gsymutil) also compute file:line, which ksym does not.")
    p()
    p("| tool | what runs | wall s | CPU s | peak RSS MiB | × ksym A | × ksym B |")
    p("|---|---|--:|--:|--:|--:|--:|")
    rows = [
        ("ksym_lookup", "**ksym (A)**", "`ksym lookup -i X.ksym` on an existing index"),
        ("ksym_build_lookup", "**ksym (B)**",
         "`ksym build %s` + `ksym lookup`" % short(build_args)),
        ("ksym_sm_build_lookup", "ksym", "`ksym build --system-map` + `ksym lookup`"),
        ("llvm_symbolizer", "llvm-symbolizer %s" % v_llvm,
         "`--functions=linkage --no-inlines` (DWARF)"),
        ("llvm_symbolizer_data", "llvm-symbolizer %s" % v_llvm,
         "`DATA` lookups (symbol table only)"),
        ("addr2line", "addr2line (binutils %s)" % v_binutils, "`-f -e vmlinux`"),
        ("eu_addr2line", "eu-addr2line (elfutils %s)" % v_elfutils, "`-f -e vmlinux`"),
        ("drgn", "drgn %s" % v_drgn, "`load_debug_info([vmlinux])` + `prog.symbol(addr)`"),
        ("drgn_lookups_only", "drgn %s" % v_drgn,
         "`prog.symbol(addr)` alone (in-process timer)"),
        ("gsym_lookup", "llvm-gsymutil %s" % v_llvm,
         "`--addresses-from-stdin` on an existing .gsym"),
        ("gsym_total", "llvm-gsymutil %s" % v_llvm, "`--convert vmlinux` + lookups"),
    ]
    estimated = False
    for key, tool, what in rows:
        if key not in runs:
            continue
        r = runs[key]
        estimated |= r.estimated
        if key == "drgn_lookups_only":
            r = Run(r.count, r.wall, 0, 0, r.estimated)
        p("| %s | %s | %s | %s | %s | %s | %s |"
          % (tool, what, secs(r.wall, r.estimated),
             secs(r.cpu, r.estimated) if r.cpu else "–", mib(r.rss_kb),
             ratios(r, a), ratios(r, b)))
    p()
    if estimated:
        p("≈: measured on fewer addresses and extrapolated linearly to %d (two sizes "
          "fix start-up and per-address cost); peak RSS as measured on the larger run." % n)
        p()

    p("Index build and symbol loading, no lookups:")
    p()
    p("| tool | what runs | wall s | CPU s | peak RSS MiB | × ksym |")
    p("|---|---|--:|--:|--:|--:|")
    build_rows = [("ksym_build", None, "ksym", "`ksym build %s`" % short(build_args))]
    if "gsym_convert" in runs:
        build_rows.append(("gsym_convert", "ksym_build", "llvm-gsymutil %s" % v_llvm,
                           "`--convert vmlinux` (DWARF + symtab → .gsym, all cores)"))
    build_rows.append(("ksym_build_kallsyms", None, "ksym",
                       "`ksym build --kallsyms FILE` (%s lines)" % kallsyms_lines(w)))
    if "perf_kallsyms_full" in runs and "perf_kallsyms_tiny" in runs:
        full, tiny = runs["perf_kallsyms_full"], runs["perf_kallsyms_tiny"]
        runs["perf_kallsyms"] = Run(0, full.wall - tiny.wall, full.cpu - tiny.cpu,
                                    full.rss_kb - tiny.rss_kb)
        build_rows.append(("perf_kallsyms", "ksym_build_kallsyms", "perf %s" % v_perf,
                           "kallsyms loading: `perf script --kallsyms=FILE` on a tiny "
                           "perf.data, minus the same with a 4-symbol FILE"))
    for key, base, tool, what in build_rows:
        if key not in runs:
            continue
        r = runs[key]
        p("| %s | %s | %s | %s | %s | %s |"
          % (tool, what, secs(r.wall, False), secs(r.cpu, False), mib(r.rss_kb),
             ratios(r, runs[base]) if base else "1"))
    if "perf_kallsyms" not in runs:
        p()
        p("perf's kallsyms loading was not measured: recording kernel samples "
          "(`perf record -e cpu-clock:k`) is not permitted on this machine.")
    p()
    p("ksym's build writes a persistent index that later runs mmap (A); perf "
      "parses kallsyms into memory again in every run. Small runs are the median "
      "of 3 to 5 (ksym) or 7 (perf) repetitions.")
    p()

    ksym = read_ksym(os.path.join(w, "ksym.out"))
    path = lambda name: os.path.join(w, name)
    llvm_fn = read_llvm_outermost(path("llvm_inlines.out")) \
        if os.path.exists(path("llvm_inlines.out")) else None
    llvm_data = read_llvm_data(path("llvm_data.out")) \
        if os.path.exists(path("llvm_data.out")) else None
    drgn = read_drgn(path("drgn.out")) \
        if os.path.exists(path("drgn.out")) and not runs.get("drgn", Run(0, 0, 0, 0)).estimated \
        else None
    p("#### Correctness: ksym's names vs the peers' on the same %d addresses" % n)
    p()
    for line in agreement(ksym, llvm_fn, llvm_data, drgn):
        p(line)


def kallsyms_lines(w):
    with open(os.path.join(w, "kallsyms")) as f:
        return "{:,}".format(sum(1 for _ in f))


if __name__ == "__main__":
    main()
