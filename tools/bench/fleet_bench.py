#!/usr/bin/env python3
"""Fleet benchmark: ksym.fleet.symbolize rows/s per worker on a Dask
LocalCluster (1 and 2 worker processes, one thread each), against the same
work in one plain Python process (ksym.fleet on pandas, and
Index.lookup_many per build), and against llvm-symbolizer on the kernel
build's addresses.

    fleet_bench.py --store DIR --vmlinux VMLINUX --debug-ko KO... [-n ROWS]
                   [--local-n ROWS] [--partition-rows ROWS]
                   [--worker-malloc dask|keep]

The store must hold the kernel (`ksym store add --store DIR --modules-dir
... VMLINUX`); the debug .ko files are copied with fresh build-ids into
distinct module builds (--builds in all), so the rows cover that many
builds. Half the rows are link-time kernel addresses, half `.text` offsets
of a module build (fleet_gen.py). The Dask rows are made on the workers, a
partition at a time (dask.dataframe.from_map), so -n 100000000 never passes
through this process; the Dask rows are timed twice, making them alone and
making + symbolizing them, and the difference is the symbolization's share.
CPU seconds are the workers' (process_time, all their threads). Peak memory
is each worker's VmHWM, reset before each pass (the mapped indexes
included). The last partition's qualified names are checked against
Index.lookup_many in this process. Prints a markdown table.
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


def _clear_peak():
    """Resets this process's VmHWM to its current RSS (Linux clear_refs 5)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _cpu_s():
    return time.process_time()


def _load():
    return "%.1f %.1f %.1f" % os.getloadavg()


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--store", required=True)
    p.add_argument("--vmlinux", required=True)
    p.add_argument("--debug-ko", nargs="+", required=True)
    p.add_argument("-n", type=int, default=100_000_000,
                   help="rows on the Dask cluster, made on the workers")
    p.add_argument("--local-n", type=int, default=10_000_000,
                   help="rows of the one-process runs, made here")
    p.add_argument("--builds", type=int, default=21)
    p.add_argument("--partition-rows", type=int, default=2_000_000)
    p.add_argument("--workers", default="1,2")
    p.add_argument("--llvm-n", type=int, default=200_000)
    p.add_argument("--worker-malloc", choices=["dask", "keep"],
                   default="dask",
                   help="dask: the workers' glibc malloc as Dask sets it\n"
                   "(MALLOC_TRIM_THRESHOLD_=65536, which also fixes the mmap\n"
                   "threshold at 128 KiB: every array of a partition is a\n"
                   "fresh mapping, its pages faulted in again); keep:\n"
                   "MALLOC_MMAP_THRESHOLD_=32 MiB, MALLOC_TRIM_THRESHOLD_=\n"
                   "256 MiB, so a worker reuses a partition's memory")
    a = p.parse_args()
    if a.worker_malloc == "keep":
        import dask
        dask.config.set({"distributed.nanny.pre-spawn-environ": {
            "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
            "MALLOC_TRIM_THRESHOLD_": str(256 << 20),
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1"}})
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
    # The rows, a partition at a time (fleet_gen.py): here for the
    # one-process runs, on the workers for Dask.
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.abspath(__file__))] +
        [x for x in os.environ.get("PYTHONPATH", "").split(os.pathsep) if x])
    import fleet_gen
    local_parts = max(1, a.local_n // a.partition_rows)
    t0 = time.time()
    frame = pd.concat([fleet_gen.partition(s) for s in fleet_gen.partition_specs(
        a.store, kernel_id, modules, a.local_n, local_parts)],
        ignore_index=True)
    n = len(frame)
    print(f"# {n:,} local rows over {frame['build_id'].nunique()} builds "
          f"(made in {time.time() - t0:.1f} s); load {_load()}",
          file=sys.stderr)

    rows = []
    # One plain process, ksym.fleet (pandas).
    t = time.perf_counter()
    c0 = time.process_time()
    out = ksym.fleet.symbolize(frame, a.store, section="section")
    wall = time.perf_counter() - t
    cpu = time.process_time() - c0
    found = int(out["found"].sum())
    rows.append((f"ksym.fleet, pandas, 1 process, {n:,} rows", wall, cpu,
                 n / wall, n / cpu, _peak_rss_mb(), _load()))
    reference = out["qualified"].to_numpy()
    del out

    t = time.perf_counter()
    c0 = time.process_time()
    q = plain_python(frame, store)
    wall = time.perf_counter() - t
    cpu = time.process_time() - c0
    agree = float(np.mean(q == reference))
    rows.append((f"plain Python, Index.lookup_many per build, {n:,} rows",
                 wall, cpu, n / wall, n / cpu, _peak_rss_mb(), _load()))
    del q, reference
    kernel_addrs = frame["address"].to_numpy()[
        frame["build_id"].to_numpy() == kernel_id]
    del frame

    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    specs = fleet_gen.partition_specs(a.store, kernel_id, modules, a.n,
                                      max(1, a.n // a.partition_rows))
    checks = []
    for workers in (int(w) for w in a.workers.split(",")):
        with LocalCluster(n_workers=workers, threads_per_worker=1,
                          processes=True, dashboard_address=None,
                          memory_limit=0) as cluster, Client(cluster) as c:
            ddf = dd.from_map(fleet_gen.partition, specs,
                              meta=fleet_gen.meta(specs[0]),
                              enforce_metadata=False)
            # Warm: each worker reads the builds' text symbols and opens
            # the indexes once.
            c.run(lambda: [fleet_gen.text_symbols(a.store, b)
                           for b in [kernel_id] + modules])
            # Making the rows alone.
            c.run(_clear_peak)
            cpu0 = sum(c.run(_cpu_s).values())
            t = time.perf_counter()
            made = int(ddf["address"].count().compute())
            gen_wall = time.perf_counter() - t
            gen_cpu = sum(c.run(_cpu_s).values()) - cpu0
            gen_peak = max(c.run(_peak_rss_mb).values())
            assert made == a.n, (made, a.n)
            rows.append((f"making the rows alone (fleet_gen), Dask, "
                         f"{workers} worker{'s' if workers > 1 else ''}",
                         gen_wall, gen_cpu, a.n / gen_wall / workers,
                         a.n / gen_cpu, gen_peak, _load()))
            # Making and symbolizing them.
            c.run(_clear_peak)
            cpu0 = sum(c.run(_cpu_s).values())
            t = time.perf_counter()
            res = ksym.fleet.symbolize(ddf, a.store, section="section")
            total = int(res["found"].sum().compute())
            wall = time.perf_counter() - t
            cpu = sum(c.run(_cpu_s).values()) - cpu0
            peak = max(c.run(_peak_rss_mb).values())
            assert total == a.n, (total, a.n)
            rows.append((f"making + ksym.fleet.symbolize, Dask, {workers} "
                         f"worker{'s' if workers > 1 else ''}, {a.n:,} rows",
                         wall, cpu, a.n / wall / workers, a.n / cpu, peak,
                         _load()))
            rows.append((f"  symbolize alone (difference), {workers} "
                         f"worker{'s' if workers > 1 else ''}",
                         wall - gen_wall, cpu - gen_cpu,
                         a.n / (wall - gen_wall) / workers,
                         a.n / (cpu - gen_cpu), None, None))
            # A partition's answers against plain Python's lookup_many.
            got = res.partitions[len(specs) - 1]["qualified"].compute()
            want = plain_python(fleet_gen.partition(specs[-1]), store)
            checks.append(float(np.mean(got.astype(str).to_numpy() == want)))

    # llvm-symbolizer on the kernel build's addresses (a sample).
    llvm = shutil.which("llvm-symbolizer")
    if llvm and a.llvm_n:
        sample = kernel_addrs[:a.llvm_n]
        text = "".join("0x%x\n" % x for x in sample)
        t = time.perf_counter()
        r = subprocess.run([llvm, "--obj=" + a.vmlinux, "--functions=linkage",
                            "--no-inlines", "--output-style=GNU"],
                           input=text, capture_output=True, text=True)
        wall = time.perf_counter() - t
        rows.append((f"llvm-symbolizer, kernel build only, {len(sample):,} "
                     "addresses", wall, None, len(sample) / wall, None, None,
                     _load()))

    print(f"| {a.builds} builds | wall s | CPU s | rows/s per worker (wall)"
          " | rows per CPU s | peak RSS MB per worker | load after |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, wall, cpu, rate, cpu_rate, rss, load in rows:
        print(f"| {name} | {wall:.2f} | "
              f"{'' if cpu is None else f'{cpu:.2f}'} | {rate/1e6:.2f} M | "
              f"{'' if cpu_rate is None else f'{cpu_rate/1e6:.2f} M'} | "
              f"{'' if rss is None else f'{rss:.0f}'} | {load or ''} |")
    print(f"\nfound {found:,} of {n:,} locally; plain Python agrees on "
          f"{agree*100:.2f}% of qualified names; on the last Dask partition "
          f"{', '.join(f'{x*100:.2f}%' for x in checks)}")


if __name__ == "__main__":
    main()
