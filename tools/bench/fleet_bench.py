#!/usr/bin/env python3
"""Fleet benchmark: ksym.fleet.symbolize rows/s per worker on a Dask
LocalCluster (1 and 2 worker processes), against the same work in one plain
Python process with Index.lookup_many, and against llvm-symbolizer on the
kernel build's addresses.

    fleet_bench.py --store DIR --vmlinux VMLINUX --debug-ko KO... [-n ROWS]

The store must hold the kernel (`ksym store add --store DIR --modules-dir
... VMLINUX`); the debug .ko files are copied with fresh build-ids into
distinct module builds (--builds in all), so the rows cover that many
builds. Half the rows are link-time kernel addresses (random text symbol,
random offset inside), half `.text` offsets of a module build. Prints a
markdown table; peak memory is each worker's ru_maxrss (the mapped indexes
included).
"""
import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import time

import numpy as np
import pandas as pd

import ksym
import ksym.fleet


def patch_build_id(src, dst, rng):
    data = bytearray(open(src, "rb").read())
    old = subprocess.run(["readelf", "-n", src], capture_output=True,
                         text=True).stdout.split("Build ID: ")[1].split()[0]
    new = bytes(rng.getrandbits(8) for _ in range(len(old) // 2))
    at = data.find(bytes.fromhex(old))
    data[at:at + len(new)] = new
    open(dst, "wb").write(bytes(data))
    return new.hex()


def _peak_rss_mb():
    """This process's peak resident set (VmHWM), in MB. Not ru_maxrss: a
    forked worker inherits its parent's high-water mark there."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def text_addresses(index_path, rng, n, base=None):
    idx = ksym.Index(index_path)
    starts, sizes = [], []
    for i in range(0, len(idx)):
        s = idx.symbol(i)
        if s.type in "tT" and s.size > 0:
            starts.append(s.start)
            sizes.append(s.size)
    starts = np.array(starts, dtype=np.uint64)
    sizes = np.array(sizes, dtype=np.uint64)
    pick = np.array([rng.randrange(len(starts)) for _ in range(min(n, 4096))])
    pick = np.resize(pick, n)
    offs = (np.arange(n, dtype=np.uint64) * np.uint64(2654435761)) % sizes[pick]
    a = starts[pick] + offs
    if base is not None:
        a = a - np.uint64(base)
    return a


def plain_python(frame, store):
    """One process, Index.lookup_many per build, names per distinct symbol."""
    qualified = np.empty(len(frame), dtype=object)
    for (bid, sec), rows in frame.groupby(["build_id", "section"],
                                           observed=True).indices.items():
        idx = ksym.Index(store.path_for(bid))
        addrs = frame["address"].to_numpy()[rows]
        if sec:
            # Module builds: the section placed at its recorded base.
            addrs = addrs + np.uint64(store.module_sections(bid)[sec])
        syms, offs = idx.lookup_many(np.ascontiguousarray(addrs))
        syms = np.frombuffer(syms, dtype=np.uint32)
        uniq, inv = np.unique(syms, return_inverse=True)
        names = np.array([idx.symbol(int(u)).qualified
                          if u != ksym.NO_SYMBOL else "??" for u in uniq],
                         dtype=object)
        qualified[rows] = names[inv]
    return qualified


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--store", required=True)
    p.add_argument("--vmlinux", required=True)
    p.add_argument("--debug-ko", nargs="+", required=True)
    p.add_argument("-n", type=int, default=10_000_000)
    p.add_argument("--builds", type=int, default=21)
    p.add_argument("--partitions", type=int, default=20)
    p.add_argument("--llvm-n", type=int, default=200_000)
    a = p.parse_args()
    rng = random.Random(21)
    store = ksym.fleet.Store(a.store)
    kernel_id = subprocess.run(["readelf", "-n", a.vmlinux],
                               capture_output=True, text=True
                               ).stdout.split("Build ID: ")[1].split()[0]
    work = os.path.join(a.store, "bench-ko")
    os.makedirs(work, exist_ok=True)
    modules = []
    for i in range(a.builds - 1):
        src = a.debug_ko[i % len(a.debug_ko)]
        dst = os.path.join(work, f"m{i}-" + os.path.basename(src))
        bid = patch_build_id(src, dst, rng)
        store.add(dst)
        modules.append(bid)
    half = a.n // 2
    per_module = (a.n - half) // len(modules)
    t0 = time.time()
    kernel_addrs = text_addresses(store.path_for(kernel_id), rng, half)
    parts = [pd.DataFrame({"build_id": kernel_id, "section": "",
                           "address": kernel_addrs})]
    for bid in modules:
        idx_path = store.path_for(bid)
        base = store.module_sections(bid)[".text"]
        addrs = text_addresses(idx_path, rng, per_module, base)
        parts.append(pd.DataFrame({"build_id": bid, "section": ".text",
                                   "address": addrs}))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.sample(frac=1.0, random_state=21).reset_index(drop=True)
    frame["build_id"] = frame["build_id"].astype("category")
    frame["section"] = frame["section"].astype("category")
    n = len(frame)
    print(f"# {n:,} rows over {frame['build_id'].nunique()} builds "
          f"(prepared in {time.time() - t0:.1f} s)", file=sys.stderr)

    rows = []
    # One plain process, ksym.fleet (pandas).
    t = time.perf_counter()
    c0 = time.process_time()
    out = ksym.fleet.symbolize(frame, a.store, section="section")
    wall = time.perf_counter() - t
    cpu = time.process_time() - c0
    found = int(out["found"].sum())
    rows.append(("ksym.fleet, pandas, 1 process", wall, cpu, n / wall,
                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    reference = out["qualified"].to_numpy()
    del out

    t = time.perf_counter()
    c0 = time.process_time()
    q = plain_python(frame, store)
    wall = time.perf_counter() - t
    cpu = time.process_time() - c0
    agree = float(np.mean(q == reference))
    rows.append(("plain Python, Index.lookup_many per build", wall, cpu,
                 n / wall,
                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    del q

    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1,
                          processes=True, dashboard_address=None,
                          memory_limit=0) as cluster, Client(cluster) as c:
            ddf = dd.from_pandas(frame, npartitions=a.partitions).persist()
            from distributed import wait
            wait(ddf)
            t = time.perf_counter()
            res = ksym.fleet.symbolize(ddf, a.store, section="section")
            total = res["found"].sum().compute()
            wall = time.perf_counter() - t
            peaks = c.run(_peak_rss_mb)
            assert int(total) == found, (total, found)
            rows.append((f"ksym.fleet, Dask LocalCluster, {workers} worker"
                         f"{'s' if workers > 1 else ''}", wall, None,
                         n / wall / workers, max(peaks.values())))

    # llvm-symbolizer on the kernel build's addresses (a sample).
    llvm = shutil.which("llvm-symbolizer")
    if llvm:
        sample = kernel_addrs[:a.llvm_n]
        text = "".join("0x%x\n" % x for x in sample)
        t = time.perf_counter()
        r = subprocess.run([llvm, "--obj=" + a.vmlinux, "--functions=linkage",
                            "--no-inlines", "--output-style=GNU"],
                           input=text, capture_output=True, text=True)
        wall = time.perf_counter() - t
        rows.append((f"llvm-symbolizer, kernel build only, {len(sample):,} "
                     "addresses", wall, None, len(sample) / wall, None))

    print(f"| {n:,} rows, {frame['build_id'].nunique()} builds | wall s | "
          "CPU s | rows/s (per worker) | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    base = rows[0][3]
    for name, wall, cpu, rate, rss in rows:
        print(f"| {name} | {wall:.2f} | "
              f"{'' if cpu is None else f'{cpu:.2f}'} | {rate/1e6:.2f} M "
              f"({rate/base:.2f}x) | {'' if rss is None else f'{rss:.0f}'} |")
    print(f"\nfound {found:,} of {n:,}; plain Python agrees on "
          f"{agree*100:.2f}% of qualified names")


if __name__ == "__main__":
    main()
