#!/usr/bin/env python3
"""ksym.fleet.symbolize in one process: rows per CPU second and per wall
second on N link-time addresses of one kernel build in a store (random text
symbols, random offsets inside), with the build-id column as plain strings
or as a pandas categorical, with or without lines=True.

    fleet_rows.py --store DIR --build-id ID [-n ROWS] [--categorical] [--lines]
                  [--distinct K]

--distinct K draws the rows from K addresses, as a profile repeats a few
return addresses many times (default: every row its own draw).

PYTHONPATH must hold the ksym package (tools/install.sh's layout, or a
directory with ksym/__init__.py, ksym/fleet.py and ksym/_ksym.so).
"""
import argparse
import time

import numpy as np
import pandas as pd

import ksym
import ksym.fleet


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", required=True)
    p.add_argument("--build-id", required=True)
    p.add_argument("-n", type=int, default=2_000_000)
    p.add_argument("--categorical", action="store_true")
    p.add_argument("--lines", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--distinct", type=int, default=0)
    a = p.parse_args()
    idx = ksym.Index(ksym.fleet.Store(a.store).path_for(a.build_id))
    starts = np.array([idx.symbol(i).start for i in range(len(idx))
                       if idx.symbol(i).type in "tT"], dtype=np.uint64)
    rng = np.random.default_rng(a.seed)
    addrs = (starts[rng.integers(0, len(starts), a.n)] +
             rng.integers(0, 64, a.n).astype(np.uint64))
    if a.distinct:
        addrs = addrs[:a.distinct][rng.integers(0, min(a.distinct, a.n), a.n)]
    frame = pd.DataFrame({"address": addrs, "build_id": a.build_id})
    if a.categorical:
        frame["build_id"] = frame["build_id"].astype("category")
    kwargs = {"lines": True} if a.lines else {}
    ksym.fleet.symbolize(frame.head(1000), a.store, **kwargs)  # opens it
    cpu, wall = time.process_time(), time.time()
    out = ksym.fleet.symbolize(frame, a.store, **kwargs)
    cpu, wall = time.process_time() - cpu, time.time() - wall
    print(f"{a.n} rows: {cpu:.3f} s CPU, {wall:.3f} s wall: "
          f"{a.n / cpu / 1e6:.2f} M rows per CPU second, "
          f"{a.n / wall / 1e6:.2f} M rows/s wall; "
          f"{int(out['found'].sum())} found")


if __name__ == "__main__":
    main()
