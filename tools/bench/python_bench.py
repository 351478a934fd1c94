#!/usr/bin/env python3
"""Python module speed, CPU time:
    PYTHONPATH=PREFIX/lib/python3/dist-packages python3 tools/bench/python_bench.py INDEX
Index.lookup per call (random addresses inside symbols), Index.frame per
call, and lookup_many addresses/s over an array.array('Q') of 1M random
addresses, over a list of them, and over the array sorted (a merge).
"""
import array
import random
import sys
import time

import ksym

idx = ksym.Index(sys.argv[1])
rng = random.Random(1)
syms = [idx.symbol(rng.randrange(len(idx))) for _ in range(20000)]
addrs = [s.start + (rng.randrange(s.size) if s.size else 0) for s in syms]
big = array.array("Q", (addrs[rng.randrange(len(addrs))] for _ in range(1000000)))
big_sorted = array.array("Q", sorted(big))


def cpu(f):
    t = time.process_time()
    f()
    return time.process_time() - t


for _ in range(3):
    n = len(addrs)
    t_lookup = cpu(lambda: [idx.lookup(a) for a in addrs])
    t_frame = cpu(lambda: [idx.frame(a) for a in addrs])
    t_many = cpu(lambda: idx.lookup_many(big))
    biglist = big.tolist()
    t_many_list = cpu(lambda: idx.lookup_many(biglist))
    t_many_sorted = cpu(lambda: idx.lookup_many(big_sorted))
    print("lookup %.0f ns/call, frame %.0f ns/call, lookup_many %.1f M addresses/s "
          "(array), %.1f M/s (list), %.1f M/s (sorted array)" % (
              t_lookup / n * 1e9, t_frame / n * 1e9, len(big) / t_many / 1e6,
              len(big) / t_many_list / 1e6, len(big) / t_many_sorted / 1e6))
