#!/usr/bin/env python3
"""lookup.py: the Python module, same output as `ksym lookup` + `ksym resolve`:
    lookup.py INDEX [--lines] ADDR... [-- QUERY...]
--lines: as `ksym lookup --lines` (the source lines after each frame).
"""
import sys

import ksym

args = sys.argv[2:]
lines = bool(args) and args[0] == "--lines"
if lines:
    args = args[1:]
split = args.index("--") if "--" in args else len(args)
idx = ksym.Index(sys.argv[1])
out = []
for a in args[:split]:
    addr = int(a, 16)
    out.append("%016x %s" % (addr, idx.frame(addr)))
    s = idx.lookup(addr)
    if lines and s is not None:
        out.extend(s.source_lines)
        # The dicts say what the text says.
        frames = [s.location] + s.inlined if s.location else []
        assert len(frames) == len(s.source_lines) or s.location is None, hex(addr)
        for f, t in zip(frames, s.source_lines):
            assert t.startswith("  %s %s:%d" % (f["function"], f["file"], f["line"])), t
for q in args[split + 1:]:
    for c in idx.resolve(q):
        out.append("%016x %s" % (c.address, c.resolved))
# lookup_many agrees with lookup one by one.
addrs = [int(a, 16) for a in args[:split]]
symbols, offsets = idx.lookup_many(addrs)
for a, s, o in zip(addrs, symbols, offsets):
    one = idx.lookup(a)
    if one is not None and one.live:
        continue  # a live BPF/ftrace frame: no symbol of the index
    if one is None:
        assert s == ksym.NO_SYMBOL, hex(a)
    else:
        assert (s, o) == (one.index, one.offset), hex(a)
        assert idx.symbol(s).qualified == one.qualified
print("\n".join(out))
