#!/usr/bin/env python3
"""Writes a realistic oops for a vmlinux: its Call Trace frames are
`name+0xOFF/0xLEN` as the kernel's %pS prints them (LEN from `ksym lookup`:
the distance to the next symbol), and several are copies of duplicated names
that are not the first symbol of their name in `nm VMLINUX`, the copy
scripts/decode_stacktrace.sh takes for any frame of that name.

  oops_gen.py KSYM INDEX VMLINUX [--frames 30] [--seed 18] [--truth FILE]
              [--module NAME=DEBUG_KO ...] > oops.txt

Nothing is hard-coded for one kernel: the duplicated names are those of
this vmlinux with a copy whose LEN differs from its other copies' (the
oops's LEN tells them apart, as for `ksym symbolize`), picked where the
first copy's file:line (addr2line -i at its start + OFF) differs from
the frame's own; the rest are functions with a unique name. Offsets are
drawn inside the function's ELF size. --module adds one frame
`name+0xOFF/0xLEN [NAME]` for a duplicated name of that module's debug
.ko (its copy that nm does not list first) when it has one.

--truth FILE gets one line per frame, in trace order:
  NAME ADDRESS FIRST_COPY_ADDRESS MODULE_OR_-   (hex, link-time addresses;
  for a module, offsets in its .ko)
"""
import argparse
import collections
import random
import re
import subprocess
import sys


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                          check=True).stdout


def text_symbols(path, sizes):
    """(name, address, size) of t/T symbols in nm's own order."""
    out = []
    for line in run(["nm"] + (["-S"] if sizes else []) + [path]).splitlines():
        f = line.split()
        if sizes and len(f) == 4 and f[2] in ("t", "T"):
            out.append((f[3], int(f[0], 16), int(f[1], 16)))
        elif not sizes and len(f) == 3 and f[1] in ("t", "T"):
            out.append((f[2], int(f[0], 16), 0))
    return out


def ksym_lengths(ksym, index, addresses):
    """address -> (name, LEN) as `ksym lookup` prints the symbol there."""
    text = "".join("0x%x\n" % a for a in addresses)
    out = {}
    for line in run([ksym, "lookup", "-i", index], text).splitlines():
        m = re.match(r"([0-9a-f]+) (\S+)\+0x0/0x([0-9a-f]+)", line)
        if m:
            out[int(m.group(1), 16)] = (m.group(2), int(m.group(3), 16))
    return out


def addr2line(obj, addresses):
    """address -> addr2line -i's lines (innermost first), one run."""
    out = run(["addr2line", "-a", "-i", "-e", obj] +
              ["0x%x" % a for a in addresses])
    result, current = {}, None
    for line in out.splitlines():
        if line.startswith("0x"):
            current = int(line, 16)
            result[current] = []
        elif current is not None:
            result[current].append(re.sub(r" \(discriminator \d+\)", "", line))
    return result


def module_frame(name, ko, rng):
    """One frame of a duplicated name of a module's .ko, not nm's first copy."""
    first = {}
    for n, a, _ in text_symbols(ko, False):
        first.setdefault(n, a)
    syms = text_symbols(ko, True)
    by_name = collections.defaultdict(list)
    for n, a, s in syms:
        if s > 0:
            by_name[n].append((a, s))
    starts = sorted({a for _, a, _ in text_symbols(ko, False)})
    for n in sorted(by_name):
        copies = [c for c in by_name[n] if c[0] != first[n]]
        if len(by_name[n]) < 2 or not copies:
            continue
        a, s = copies[0]
        nxt = [x for x in starts if x > a]
        length = (nxt[0] - a) if nxt else s
        off = rng.randrange(s)
        return "%s+0x%x/0x%x [%s]" % (n, off, length, name), \
            "%s 0x%x 0x%x %s" % (n, a + off, first[n] + off, name)
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ksym")
    p.add_argument("index")
    p.add_argument("vmlinux")
    p.add_argument("--frames", type=int, default=30)
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--truth")
    p.add_argument("--module", action="append", default=[])
    a = p.parse_args()
    rng = random.Random(a.seed)

    first = {}
    for n, addr, _ in text_symbols(a.vmlinux, False):
        first.setdefault(n, addr)
    copies = collections.defaultdict(list)
    for n, addr, size in text_symbols(a.vmlinux, True):
        if size > 0:
            copies[n].append((addr, size))
    lengths = ksym_lengths(a.ksym, a.index,
                           [addr for cs in copies.values() for addr, _ in cs])

    # Duplicated names: a copy other than nm's first whose LEN is its own.
    candidates = []
    for n in sorted(copies):
        cs = copies[n]
        if len(cs) < 2 or n not in first:
            continue
        lens = collections.Counter(lengths.get(addr, ("", 0))[1] for addr, _ in cs)
        for addr, size in cs:
            got = lengths.get(addr)
            if (addr != first[n] and got and got[0] == n and lens[got[1]] == 1
                    and first[n] in lengths):
                candidates.append((n, addr, size, got[1]))
    rng.shuffle(candidates)
    # Keep those where nm's first copy at the same offset is another line.
    trial = []
    for n, addr, size, length in candidates[:200]:
        off = rng.randrange(min(size, lengths[first[n]][1]))
        trial.append((n, addr, off, length))
    lines = addr2line(a.vmlinux, [x[1] + x[2] for x in trial] +
                      [first[x[0]] + x[2] for x in trial])
    dups, seen = [], set()
    for n, addr, off, length in trial:
        if n in seen:
            continue
        if lines.get(addr + off) != lines.get(first[n] + off):
            dups.append((n, addr, off, length))
            seen.add(n)
        if len(dups) == min(8, a.frames // 3):
            break

    frames, truth = [], []
    for n, addr, off, length in dups:
        frames.append("%s+0x%x/0x%x" % (n, off, length))
        truth.append("%s 0x%x 0x%x -" % (n, addr + off, first[n] + off))
    for spec in a.module:
        name, ko = spec.split("=", 1)
        got = module_frame(name, ko, rng)
        if got:
            frames.append(got[0])
            truth.append(got[1])
    unique = [(n, cs[0]) for n, cs in copies.items()
              if len(cs) == 1 and first.get(n) == cs[0][0]]
    unique.sort()
    rng.shuffle(unique)
    more = ksym_lengths(a.ksym, a.index,
                        [cs[0] for _, cs in unique[:4 * a.frames]])
    for n, (addr, size) in unique[:4 * a.frames]:
        if len(frames) >= a.frames:
            break
        got = more.get(addr)
        if not got or got[0] != n:
            continue
        off = rng.randrange(size)
        frames.append("%s+0x%x/0x%x" % (n, off, got[1]))
        truth.append("%s 0x%x 0x%x -" % (n, addr + off, addr + off))
    order = list(range(len(frames)))
    rng.shuffle(order)

    ts = "[ 1234.%06d]" % rng.randrange(10**6)
    out = [
        "%s BUG: kernel NULL pointer dereference, address: 0000000000000008" % ts,
        "%s #PF: supervisor read access in kernel mode" % ts,
        "%s Oops: 0000 [#1] PREEMPT SMP NOPTI" % ts,
        "%s CPU: 1 PID: 4242 Comm: oops_gen Not tainted" % ts,
        "%s Call Trace:" % ts,
        "%s  <TASK>" % ts,
    ]
    out += ["%s  %s" % (ts, frames[i]) for i in order]
    out += ["%s  </TASK>" % ts]
    print("\n".join(out))
    if a.truth:
        with open(a.truth, "w") as f:
            f.write("".join(truth[i] + "\n" for i in order))


if __name__ == "__main__":
    sys.exit(main())
