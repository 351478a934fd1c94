"""Rows for tools/bench/fleet_bench.py, made one partition at a time where
the partition is used (a Dask worker, through dask.dataframe.from_map), so
that 10^8 rows never pass through one process.

    specs = partition_specs(store, kernel_id, module_ids, rows, partitions)
    ddf = dask.dataframe.from_map(partition, specs, meta=meta(specs[0]))

A partition is a pure function of its spec (seeded): half its rows are
link-time addresses of the kernel build, half `.text` offsets of the module
builds, each row's build drawn at random; each build's addresses fall in 4,096
randomly picked text symbols of its index (a profile repeats a few
functions), at an offset inside the symbol. `build_id` and `section` are
categoricals with the same categories in every partition. Each process
reads each build's text symbols from the store once.
"""
import threading

import numpy as np
import pandas as pd

import ksym
import ksym.fleet

_lock = threading.Lock()
_tables = {}


def text_symbols(store_dir, build_id):
    """(starts, sizes, base) of the text symbols of `build_id`'s index in
    the store; base is its `.text` base for a module build (addresses are
    then offsets from it), else 0. Cached per process."""
    key = (store_dir, build_id)
    with _lock:
        got = _tables.get(key)
    if got is not None:
        return got
    store = ksym.fleet.Store(store_dir)
    idx = ksym.Index(store.path_for(build_id))
    starts, sizes = [], []
    for s in idx:
        if s.type in "tT" and s.size > 0:
            starts.append(s.start)
            sizes.append(s.size)
    base = store.module_sections(build_id).get(".text", 0)
    got = (np.array(starts, dtype=np.uint64), np.array(sizes, dtype=np.uint64),
           np.uint64(base))
    with _lock:
        _tables[key] = got
    return got


def partition_specs(store_dir, kernel_id, module_ids, rows, partitions,
                    seed=21):
    """One spec per partition, `rows` in all."""
    per, extra = divmod(rows, partitions)
    return [(str(store_dir), kernel_id, tuple(module_ids),
             per + (1 if p < extra else 0), seed * 1_000_003 + p)
            for p in range(partitions)]


def _picks(store_dir, builds, rng):
    """The symbols rows fall in: 4,096 per build, build b's at b * 4096 +
    k: their (start, size), starts made relative to a module's base."""
    starts, sizes = [], []
    for b in builds:
        s, z, base = text_symbols(store_dir, b)
        pick = rng.integers(0, len(s), 4096)
        starts.append(s[pick] - base)
        sizes.append(z[pick])
    return np.concatenate(starts), np.concatenate(sizes)


def partition(spec):
    """The pandas DataFrame of one spec: build_id, section, address."""
    store_dir, kernel_id, module_ids, n, seed = spec
    rng = np.random.default_rng(seed)
    builds = [kernel_id] + list(module_ids)
    starts, sizes = _picks(store_dir, builds, rng)
    # Half the rows the kernel (code 0), half a module build (1..).
    if len(builds) < 2:
        raise ValueError("fleet_gen: at least one module build is needed")
    # int16: pandas takes category codes of any width (int8 stops at 127).
    codes = rng.integers(1, len(builds), n, dtype=np.int16)
    codes[rng.random(n) < 0.5] = 0
    entry = codes.astype(np.int64) * 4096 + rng.integers(0, 4096, n)
    offsets = (rng.random(n) * sizes[entry]).astype(np.uint64)
    return pd.DataFrame({
        "build_id": pd.Categorical.from_codes(codes, builds),
        "section": pd.Categorical.from_codes(
            (codes > 0).astype(np.int8), ["", ".text"]),
        "address": starts[entry] + offsets,
    })


def meta(spec):
    """The empty frame of `spec`'s partitions (Dask's meta)."""
    store_dir, kernel_id, module_ids, _, seed = spec
    builds = [kernel_id] + list(module_ids)
    return pd.DataFrame({
        "build_id": pd.Categorical([], categories=builds),
        "section": pd.Categorical([], categories=["", ".text"]),
        "address": np.zeros(0, dtype=np.uint64),
    })
