#!/usr/bin/env python3
"""Prints N random kernel text addresses, one hex address per line.

Usage: gen_addrs.py SYSTEM_MAP N SEED > addrs.txt

Each address lies inside a t/T symbol of the core kernel's text
([_stext, _etext) or [_sinittext, _einittext)): a symbol is drawn
uniformly, then an offset uniformly within its extent (up to the next
higher symbol address, kallsyms semantics). Same inputs, same output.
"""

import bisect
import random
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    symbols = []  # (address, type, name)
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 3:
                symbols.append((int(fields[0], 16), fields[1], fields[2]))
    by_name = {name: addr for addr, _, name in symbols}
    ranges = [(by_name["_stext"], by_name["_etext"]),
              (by_name["_sinittext"], by_name["_einittext"])]
    addrs = sorted({addr for addr, _, _ in symbols})

    candidates = []  # (start, extent)
    for addr, typ, _ in symbols:
        if typ not in "tT" or not any(lo <= addr < hi for lo, hi in ranges):
            continue
        i = bisect.bisect_right(addrs, addr)
        end = addrs[i] if i < len(addrs) else addr + 1
        end = min(end, next(hi for lo, hi in ranges if lo <= addr < hi))
        candidates.append((addr, end - addr))
    candidates.sort()

    rng = random.Random(seed)
    out = sys.stdout
    for _ in range(n):
        start, extent = candidates[rng.randrange(len(candidates))]
        out.write("%x\n" % (start + rng.randrange(extent)))


if __name__ == "__main__":
    main()
